package dev.jxdp;

import org.junit.jupiter.api.Test;

import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Java example, compiled in memory against the test class path and run: it cannot drift. */
class ReadmeExampleTest {

    @Test
    void readmeJavaExampleCompilesAndRuns() throws Exception {
        String readme = Files.readString(ApiTest.REPO.resolve("README.md"));
        int start = readme.indexOf("```java\n");
        assertTrue(start >= 0, "README.md has no ```java block");
        int end = readme.indexOf("```", start + 8);
        String source = readme.substring(start + 8, end);
        assertTrue(source.contains("public class Example"), source);
        // the example names the object relative to the repository, where a user runs it; the test's
        // working directory is the module's, so only that path is made absolute
        String relative = "\"examples/xdp_demo.o\"";
        assertTrue(source.contains(relative), source);
        source = source.replace(relative, "\"" + ApiTest.DEMO.toAbsolutePath().toString().replace("\\", "\\\\") + "\"");

        Map<String, byte[]> classes = compile("Example", source);
        ClassLoader loader = new ClassLoader(ReadmeExampleTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                byte[] b = classes.get(name);
                if (b == null) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, b, 0, b.length);
            }
        };
        Method main = loader.loadClass("Example").getMethod("main", String[].class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(saved);
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        // what the README says it prints
        assertEquals(List.of("PASS 60 bytes", "{packets=1, bytes=60}"), lines);
        assertTrue(readme.contains("It prints `PASS 60 bytes` and `{packets=1, bytes=60}`"));
    }

    private static Map<String, byte[]> compile(String name, String source) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Map<String, ByteArrayOutputStream> out = new HashMap<>();
        var std = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        var files = new javax.tools.ForwardingJavaFileManager<>(std) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                                                       javax.tools.FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public java.io.OutputStream openOutputStream() {
                        return out.computeIfAbsent(className, k -> new ByteArrayOutputStream());
                    }
                };
            }
        };
        JavaFileObject src = new SimpleJavaFileObject(URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, files, null,
                List.of("-classpath", System.getProperty("java.class.path"), "-proc:none"), null, List.of(src)).call();
        assertTrue(ok, "the README's example does not compile:\n" + diagnostics);
        Map<String, byte[]> classes = new HashMap<>();
        out.forEach((k, v) -> classes.put(k, v.toByteArray()));
        return classes;
    }
}
