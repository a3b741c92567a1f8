package dev.jxdp.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The {@code bpf(2)} system call through libc's {@code syscall()}, and {@code close(2)} for what it returns.
 * Every call answers as the kernel does: a non-negative result (a file descriptor, 0) or {@code -errno}.
 */
public final class Bpf {
    private Bpf() {}

    // enum bpf_cmd (uapi/linux/bpf.h)
    public static final int MAP_CREATE = 0;
    public static final int MAP_LOOKUP_ELEM = 1;
    public static final int MAP_UPDATE_ELEM = 2;
    public static final int MAP_DELETE_ELEM = 3;
    public static final int MAP_GET_NEXT_KEY = 4;
    public static final int PROG_LOAD = 5;
    public static final int PROG_TEST_RUN = 10;
    public static final int OBJ_GET_INFO_BY_FD = 15;
    public static final int BTF_LOAD = 18;
    public static final int MAP_FREEZE = 22;

    /** The bpf() system call number on this machine's architecture, or -1 where jxdp does not know it. */
    static final long SYS_BPF = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 321;
        case "aarch64", "arm64" -> 280;
        default -> -1;
    };

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SYSCALL;
    private static final MethodHandle CLOSE;
    private static final String LINK_PROBLEM;

    static {
        MethodHandle sys = null;
        MethodHandle close = null;
        String problem = null;
        try {
            Linker linker = Linker.nativeLinker();
            // long syscall(long number, ...): bpf(int cmd, union bpf_attr *attr, unsigned int size), each
            // variadic argument passed as a full register so no upper half is left undefined
            sys = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                    Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
            close = linker.downcallHandle(linker.defaultLookup().find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        } catch (RuntimeException | LinkageError e) {
            problem = "cannot call libc's syscall(): " + e;
        }
        SYSCALL = sys;
        CLOSE = close;
        LINK_PROBLEM = problem != null ? problem
                : SYS_BPF < 0 ? "no bpf() system call number for architecture " + System.getProperty("os.arch") : null;
    }

    /** Why bpf() cannot be called at all from this JVM (no libc binding, unknown architecture), or null. */
    static String linkProblem() { return LINK_PROBLEM; }

    /** bpf(cmd, attr, size): the kernel's result, or {@code -errno}. */
    public static long call(int cmd, MemorySegment attr, int size) {
        if (LINK_PROBLEM != null) {
            throw new IllegalStateException(LINK_PROBLEM);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            long rc = (long) SYSCALL.invokeExact(state, SYS_BPF, (long) cmd, attr, (long) size);
            return rc < 0 ? -(int) ERRNO.get(state, 0L) : rc;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** close(2), for a descriptor bpf() returned; negative descriptors are ignored. */
    public static void close(int fd) {
        if (fd < 0 || CLOSE == null) {
            return;
        }
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // nothing to do: the descriptor is gone either way
        }
    }

    /** "EACCES" for 13: the name of an errno value as the kernel's headers spell it. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case 1 -> "EPERM";
            case 2 -> "ENOENT";
            case 3 -> "ESRCH";
            case 4 -> "EINTR";
            case 7 -> "E2BIG";
            case 9 -> "EBADF";
            case 11 -> "EAGAIN";
            case 12 -> "ENOMEM";
            case 13 -> "EACCES";
            case 14 -> "EFAULT";
            case 16 -> "EBUSY";
            case 17 -> "EEXIST";
            case 19 -> "ENODEV";
            case 22 -> "EINVAL";
            case 28 -> "ENOSPC";
            case 34 -> "ERANGE";
            case 38 -> "ENOSYS";
            case 40 -> "ELOOP";
            case 75 -> "EOVERFLOW";
            case 95 -> "EOPNOTSUPP";
            case 524 -> "ENOTSUPP";
            default -> "errno " + errno;
        };
    }
}
