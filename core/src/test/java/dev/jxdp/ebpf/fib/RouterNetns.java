package dev.jxdp.ebpf.fib;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The router namespace of core/src/test/resources/fib/router-netns.sh, for tests that hold jxdp's FIB to
 * the kernel's: created by {@link #up()}, deleted by {@link #close()}. Code runs inside it on a thread of
 * its own that joins the namespace with setns(2) ({@link #inside}); commands through {@code ip netns exec}.
 * Needs root and {@code ip}; {@link #whyNot()} says what is missing.
 */
final class RouterNetns implements AutoCloseable {

    static final Path REPO = Path.of(System.getProperty("jxdp.repo", "."));
    static final Path SCRIPT = REPO.resolve("core/src/test/resources/fib/router-netns.sh");
    static final Path ROUTER_JSON = REPO.resolve("core/src/test/resources/fib/router.json");

    final String name;

    private RouterNetns(String name) {
        this.name = name;
    }

    /** Why the namespace cannot be built here, or null. */
    static String whyNot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || !"0".equals(uid)) {
                return "not root";
            }
            Process ip = new ProcessBuilder("ip", "-V").redirectErrorStream(true).start();
            ip.getInputStream().readAllBytes();
            return ip.waitFor(10, TimeUnit.SECONDS) && ip.exitValue() == 0 ? null : "no ip command";
        } catch (IOException e) {
            return "cannot run id / ip: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    static RouterNetns up() throws IOException, InterruptedException {
        RouterNetns ns = new RouterNetns("jxdpfib" + ProcessHandle.current().pid());
        run(List.of("bash", SCRIPT.toString(), "down", ns.name));
        try {
            run(List.of("bash", SCRIPT.toString(), "up", ns.name));
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** Runs {@code cmd} inside the namespace (ip netns exec); its stdout. */
    String exec(String... cmd) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(cmd));
        return run(all);
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
        return out;
    }

    /** Calls {@code body} on a new thread that has joined the namespace; its result, or its exception. */
    <T> T inside(Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                Setns.join(Path.of("/run/netns", name));
                result.set(body.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "netns-" + name);
        t.start();
        t.join();
        if (failure.get() instanceof Exception e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        return result.get();
    }

    @Override
    public void close() {
        try {
            run(List.of("bash", SCRIPT.toString(), "down", name));
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete namespace " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** setns(2) of the calling thread into the network namespace a file names. */
    private static final class Setns {
        private static final int O_RDONLY = 0;
        private static final int CLONE_NEWNET = 0x40000000;
        private static final Linker LINKER = Linker.nativeLinker();
        private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(2));
        private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        static void join(Path file) throws Throwable {
            if (!Files.exists(file)) {
                throw new IOException(file + " does not exist");
            }
            try (Arena a = Arena.ofConfined()) {
                MemorySegment path = a.allocateFrom(file.toString());
                int fd = (int) OPEN.invokeExact(path, O_RDONLY, 0);
                if (fd < 0) {
                    throw new IOException("open " + file + " failed");
                }
                int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
                int ignored = (int) CLOSE.invokeExact(fd);
                if (rc != 0) {
                    throw new IOException("setns " + file + " failed");
                }
            }
        }
    }
}
