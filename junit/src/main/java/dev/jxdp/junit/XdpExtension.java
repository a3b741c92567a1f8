package dev.jxdp.junit;

import dev.jxdp.Engine;
import dev.jxdp.ObjectSpec;
import dev.jxdp.XdpMap;
import dev.jxdp.XdpObject;
import dev.jxdp.XdpProgram;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;

/**
 * The JUnit 5 extension behind {@link XdpTest}: loads objects, injects them, their programs and maps into parameters
 * and fields, closes them after the test, and runs {@link EngineTest}s once per engine.
 *
 * <p>One instance is registered on the class ({@link XdpTest}); it serves plain tests, on the first engine. For an
 * {@link EngineTest} it provides one invocation per engine, each carrying an instance pinned to that engine which
 * serves that invocation alone (the class's instance stands aside there, so that a parameter has one resolver).
 */
public final class XdpExtension implements TestTemplateInvocationContextProvider, ParameterResolver, BeforeEachCallback,
        TestExecutionExceptionHandler {
    /** The system property that overrides {@link XdpTest#engines()} for a run, e.g. {@code jit,kernel}. */
    public static final String ENGINES_PROPERTY = "jxdp.engines";

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(XdpExtension.class);

    private final Engine pinned;

    /** The instance {@link XdpTest} registers. */
    public XdpExtension() {
        this(null);
    }

    private XdpExtension(Engine pinned) {
        this.pinned = pinned;
    }

    // ------------------------------------------------------------------ one invocation per engine

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return pinned == null && context.getTestMethod().map(XdpExtension::isEngineTest).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return engines(context).stream().map(engine -> new TestTemplateInvocationContext() {
            @Override
            public String getDisplayName(int invocationIndex) {
                return engine.name().toLowerCase(Locale.ROOT);
            }

            @Override
            public List<Extension> getAdditionalExtensions() {
                return List.of(new XdpExtension(engine));
            }
        });
    }

    // ------------------------------------------------------------------ skipping, fields

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!serves(context)) {
            return;
        }
        Engine engine = engine(context);
        String why = Engines.unavailableReason(engine);
        Assumptions.assumeTrue(why == null, () -> engine.name().toLowerCase(Locale.ROOT) + " engine unavailable: " + why);
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            injectFields(context, instance);
        }
    }

    private void injectFields(ExtensionContext context, Object instance) throws IllegalAccessException {
        for (Class<?> c = instance.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Object value = null;
                if (f.isAnnotationPresent(LoadObject.class) || f.isAnnotationPresent(Program.class)
                        || f.isAnnotationPresent(Map.class)) {
                    value = resolve(context, f.getType(), f, "field " + f.getName());
                }
                if (value != null) {
                    f.setAccessible(true);
                    f.set(instance, value);
                }
            }
        }
    }

    /**
     * Puts the engine in front of an {@link EngineTest}'s assertion failure ("[kernel] ipv4 ttl: expected 63 but was
     * 64"): build tools report the runs of a template by index, and which engine failed is the first question.
     */
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
        if (pinned == null || !(t instanceof AssertionError)) {
            throw t;
        }
        String prefix = "[" + pinned.name().toLowerCase(Locale.ROOT) + "] ";
        AssertionError named;
        if (t instanceof AssertionFailedError f) {
            named = f.isExpectedDefined() || f.isActualDefined()
                    ? new AssertionFailedError(prefix + f.getMessage(), f.getExpected(), f.getActual(), f.getCause())
                    : new AssertionFailedError(prefix + f.getMessage(), f.getCause());
        } else {
            named = new AssertionError(prefix + t.getMessage(), t.getCause());
        }
        named.setStackTrace(t.getStackTrace());
        for (Throwable s : t.getSuppressed()) {
            named.addSuppressed(s);
        }
        throw named;
    }

    // ------------------------------------------------------------------ parameters

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext context) {
        Class<?> t = pc.getParameter().getType();
        return serves(context) && (t == XdpObject.class || t == XdpProgram.class || t == XdpMap.class
                || t == ObjectSpec.class || t == Engine.class);
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext context) {
        String what = "parameter " + pc.getIndex() + " (" + pc.getParameter().getType().getSimpleName() + ") of "
                + pc.getDeclaringExecutable().getName() + "()";
        try {
            return resolve(context, pc.getParameter().getType(), pc.getParameter(), what);
        } catch (ExtensionConfigurationException e) {
            throw new ParameterResolutionException(e.getMessage());
        }
    }

    private Object resolve(ExtensionContext context, Class<?> type, AnnotatedElement target, String what) {
        if (type == Engine.class) {
            return engine(context);
        }
        Source source = source(context, target, what);
        if (type == ObjectSpec.class) {
            return spec(context, source);
        }
        if (type == XdpMap.class && !target.isAnnotationPresent(Map.class)) {
            throw new ExtensionConfigurationException(what + ": say which map with @Map(\"name\"); " + source.path
                    + " has " + spec(context, source).maps().stream().map(dev.jxdp.MapSpec::name).toList());
        }
        XdpObject obj = object(context, source);
        if (type == XdpObject.class) {
            return obj;
        }
        if (type == XdpProgram.class) {
            String name = target.isAnnotationPresent(Program.class) ? target.getAnnotation(Program.class).value() : "";
            return name.isEmpty() ? obj.program() : obj.program(name);
        }
        if (type == XdpMap.class) {
            return obj.map(target.getAnnotation(Map.class).value());
        }
        throw new ExtensionConfigurationException(what + ": @LoadObject, @Program and @Map go on XdpObject, ObjectSpec,"
                + " XdpProgram or XdpMap, not " + type.getSimpleName());
    }

    // ------------------------------------------------------------------ which object, loaded where

    /** An object file and the constants it is loaded with. */
    private record Source(String path, List<String> constants, boolean shared, Class<?> anchor) {
        static Source of(LoadObject a, Class<?> anchor) {
            return new Source(a.value(), List.of(a.constants()), a.shared(), anchor);
        }
    }

    /** The parameter's or field's own @LoadObject, else the method's, else a single field's, else the class's. */
    private static Source source(ExtensionContext context, AnnotatedElement target, String what) {
        Class<?> testClass = context.getRequiredTestClass();
        if (target.isAnnotationPresent(LoadObject.class)) {
            return Source.of(target.getAnnotation(LoadObject.class), testClass);
        }
        Optional<LoadObject> onMethod = context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, LoadObject.class));
        if (onMethod.isPresent()) {
            return Source.of(onMethod.get(), testClass);
        }
        List<Field> fields = AnnotationSupport.findAnnotatedFields(testClass, LoadObject.class);
        if (fields.size() == 1) {
            return Source.of(fields.getFirst().getAnnotation(LoadObject.class), testClass);
        }
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Optional<LoadObject> onClass = AnnotationSupport.findAnnotation(c, LoadObject.class);
            if (onClass.isPresent()) {
                return Source.of(onClass.get(), c);
            }
        }
        throw new ExtensionConfigurationException(what + ": no object to take it from: put @LoadObject(\"prog.o\") on "
                + (fields.size() > 1 ? "it (the class has several @LoadObject fields)" : "the class, the method or it"));
    }

    private record Loaded(XdpObject object) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            object.close();
        }
    }

    private XdpObject object(ExtensionContext context, Source source) {
        Engine engine = engine(context);
        ExtensionContext owner = source.shared ? classContext(context) : context;
        // a store sees its ancestors' values: a shared object is meant to reach nested classes, a per-test one must
        // not be found by a test below the context that loaded it (a @BeforeAll's, say)
        Object scope = source.shared ? "shared" : owner.getUniqueId();
        List<Object> key = List.of("object", source.path, source.constants, source.anchor, engine, scope);
        ExtensionContext.Store store = owner.getStore(NS);
        Loaded loaded = store.getOrComputeIfAbsent(key, k -> new Loaded(spec(context, source).load(engine)), Loaded.class);
        return loaded.object();
    }

    /** Parsed once per run and file: a spec is immutable, and reading the ELF is most of what a load costs. */
    private static ObjectSpec spec(ExtensionContext context, Source source) {
        ExtensionContext.Store root = context.getRoot().getStore(NS);
        List<Object> key = List.of("spec", source.path, source.constants, source.anchor);
        return root.getOrComputeIfAbsent(key, k -> readSpec(source), ObjectSpec.class);
    }

    private static ObjectSpec readSpec(Source source) {
        ObjectSpec spec = read(source.path, source.anchor);
        if (source.constants.isEmpty()) {
            return spec;
        }
        java.util.Map<String, String> values = new LinkedHashMap<>();
        for (String c : source.constants) {
            int eq = c.indexOf('=');
            if (eq <= 0) {
                throw new ExtensionConfigurationException("@LoadObject(\"" + source.path + "\") constant \"" + c
                        + "\": want NAME=VALUE");
            }
            values.put(c.substring(0, eq).strip(), c.substring(eq + 1).strip());
        }
        return spec.withConstants(values);
    }

    /** The class path (the anchor's package, then the root), then the project directory. */
    static ObjectSpec read(String name, Class<?> anchor) {
        URL url = anchor.getResource(name);
        if (url == null && !name.startsWith("/")) {
            ClassLoader loader = anchor.getClassLoader();
            url = loader == null ? null : loader.getResource(name);
        }
        if (url != null) {
            try (InputStream in = url.openStream()) {
                return ObjectSpec.read(in.readAllBytes(), name.substring(name.lastIndexOf('/') + 1));
            } catch (IOException e) {
                throw new ExtensionConfigurationException(name + ": cannot read " + url + ": " + e.getMessage());
            }
        }
        Path file = projectDir().resolve(name.startsWith("/") ? name.substring(1) : name);
        if (!name.startsWith("/") && Files.isRegularFile(file)) {
            return ObjectSpec.read(file);
        }
        throw new ExtensionConfigurationException(name + ": not found on the class path (beside "
                + anchor.getName() + " or at its root)" + (name.startsWith("/") ? "" : " nor at " + file));
    }

    private static Path projectDir() {
        String basedir = System.getProperty("basedir"); // Maven's surefire sets it to the module's directory
        return Path.of(basedir != null ? basedir : System.getProperty("user.dir"));
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    // ------------------------------------------------------------------ engines

    private boolean serves(ExtensionContext context) {
        return pinned != null || !context.getTestMethod().map(XdpExtension::isEngineTest).orElse(false);
    }

    private Engine engine(ExtensionContext context) {
        return pinned != null ? pinned : engines(context).getFirst();
    }

    private static boolean isEngineTest(Method m) {
        return AnnotationSupport.isAnnotated(m, EngineTest.class);
    }

    /** {@code -Djxdp.engines}, else the nearest {@link XdpTest#engines()}, else JIT alone. */
    static List<Engine> engines(ExtensionContext context) {
        String property = System.getProperty(ENGINES_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Engines.parse(property);
        }
        for (Class<?> c = context.getTestClass().orElse(null); c != null; c = c.getEnclosingClass()) {
            Optional<XdpTest> a = AnnotationSupport.findAnnotation(c, XdpTest.class);
            if (a.isPresent()) {
                if (a.get().engines().length == 0) {
                    throw new ExtensionConfigurationException("@XdpTest(engines = {}) on " + c.getName()
                            + ": name at least one engine");
                }
                return List.copyOf(new ArrayList<>(Arrays.asList(a.get().engines())));
            }
        }
        return List.of(Engine.JIT);
    }
}
