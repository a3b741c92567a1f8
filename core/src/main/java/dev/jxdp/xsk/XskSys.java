package dev.jxdp.xsk;

import dev.jxdp.kernel.Bpf;

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
 * The libc calls an XDP socket needs, through FFM as {@link Bpf} calls bpf(): socket(), getsockopt(),
 * setsockopt(), mmap(), munmap(), bind() and the sendto() that kicks the kernel to transmit. Every call answers as the kernel does: a non-negative result or
 * {@code -errno}. Setup and teardown only; nothing here is on a per-frame path.
 */
public final class XskSys {
    private XskSys() {}

    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_POPULATE = 0x8000;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final MethodHandle SOCKET;
    private static final MethodHandle GETSOCKOPT;
    private static final MethodHandle SETSOCKOPT;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle BIND;
    private static final MethodHandle SENDTO;

    /** sendto() flag: do not block. */
    public static final int MSG_DONTWAIT = 0x40;
    /** sockaddr_xdp.sxdp_flags: copy mode, through the kernel's skb path. */
    public static final short XDP_COPY = 1 << 1;
    /** sizeof(struct sockaddr_xdp): u16 family, u16 flags, u32 ifindex, u32 queue_id, u32 shared_umem_fd. */
    public static final int SOCKADDR_XDP_SIZE = 16;

    static {
        Linker linker = Linker.nativeLinker();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        SOCKET = link(linker, "socket", FunctionDescriptor.of(INT, INT, INT, INT), errno);
        GETSOCKOPT = link(linker, "getsockopt",
                FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS), errno);
        SETSOCKOPT = link(linker, "setsockopt",
                FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS, INT), errno);
        MMAP = link(linker, "mmap", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG, INT, INT, INT, ValueLayout.JAVA_LONG), errno);
        MUNMAP = link(linker, "munmap", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), errno);
        BIND = link(linker, "bind", FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT), errno);
        SENDTO = link(linker, "sendto", FunctionDescriptor.of(ValueLayout.JAVA_LONG, INT, ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG, INT, ValueLayout.ADDRESS, INT), errno);
    }

    private static MethodHandle link(Linker linker, String name, FunctionDescriptor fd, Linker.Option errno) {
        return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(
                () -> new IllegalStateException("libc has no " + name + "()")), fd, errno);
    }

    /** socket(AF_XDP, SOCK_RAW, 0): a descriptor, or -errno (EPERM without CAP_NET_RAW, EAFNOSUPPORT without AF_XDP). */
    public static int socket() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int rc = (int) SOCKET.invokeExact(state, IfXdp.AF_XDP, IfXdp.SOCK_RAW, 0);
            return rc < 0 ? -errno(state) : rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** getsockopt(fd, level, opt, value, &len): the length the kernel wrote, or -errno. */
    public static int getsockopt(int fd, int level, int opt, MemorySegment value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            MemorySegment len = a.allocate(INT);
            len.set(INT, 0, (int) value.byteSize());
            int rc = (int) GETSOCKOPT.invokeExact(state, fd, level, opt, value, len);
            return rc < 0 ? -errno(state) : len.get(INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt(fd, level, opt, value, sizeof value): 0 or -errno. */
    public static int setsockopt(int fd, int level, int opt, MemorySegment value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int rc = (int) SETSOCKOPT.invokeExact(state, fd, level, opt, value, (int) value.byteSize());
            return rc < 0 ? -errno(state) : rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt() of one int: a ring size. */
    public static int setsockoptInt(int fd, int level, int opt, int v) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(INT);
            value.set(INT, 0, v);
            return setsockopt(fd, level, opt, value);
        }
    }

    /**
     * getsockopt(SOL_XDP, XDP_MMAP_OFFSETS): where the kernel puts each ring's words and entries. Throws
     * naming the errno when the kernel refuses, or when it answers with an older, shorter struct.
     */
    public static XdpMmapOffsets mmapOffsets(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment off = a.allocate(XdpMmapOffsets.SIZE, 8);
            int rc = getsockopt(fd, IfXdp.SOL_XDP, IfXdp.XDP_MMAP_OFFSETS, off);
            if (rc < 0) {
                throw new IllegalStateException("getsockopt(XDP_MMAP_OFFSETS): " + Bpf.errnoName(-rc));
            }
            if (rc != XdpMmapOffsets.SIZE) {
                throw new IllegalStateException("getsockopt(XDP_MMAP_OFFSETS): " + rc + " bytes, want "
                        + XdpMmapOffsets.SIZE + " (a kernel without the flags word)");
            }
            return XdpMmapOffsets.read(off);
        }
    }

    /**
     * mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, fd, pgoff): a ring of the socket as a
     * segment of {@code len} bytes, or null with the errno in {@code errnoOut[0]}. Unmap with {@link #munmap}.
     */
    public static MemorySegment mmapRing(int fd, long len, long pgoff, int[] errnoOut) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            MemorySegment p = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, len,
                    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, pgoff);
            if (p.address() == -1L) {   // MAP_FAILED
                errnoOut[0] = errno(state);
                return null;
            }
            return p.reinterpret(len);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** munmap() of a segment {@link #mmapRing} gave: 0 or -errno. */
    public static int munmap(MemorySegment ring) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            int rc = (int) MUNMAP.invokeExact(state, ring, ring.byteSize());
            return rc < 0 ? -errno(state) : rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** sizeof(struct xdp_umem_reg): u64 addr, u64 len, u32 chunk_size, u32 headroom, u32 flags, u32 tx_metadata_len. */
    public static final int XDP_UMEM_REG_SIZE = 32;

    /**
     * setsockopt(SOL_XDP, XDP_UMEM_REG) of {@code len} bytes at {@code region}: the kernel pins the pages and
     * runs xdp_umem_reg()'s checks. 0 or -errno (EINVAL for a shape it refuses).
     */
    public static int umemReg(int fd, MemorySegment region, long len, int chunkSize, int headroom, int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment mr = a.allocate(XDP_UMEM_REG_SIZE, 8);
            mr.set(ValueLayout.JAVA_LONG, 0, region.address());
            mr.set(ValueLayout.JAVA_LONG, 8, len);
            mr.set(INT, 16, chunkSize);
            mr.set(INT, 20, headroom);
            mr.set(INT, 24, flags);
            return setsockopt(fd, IfXdp.SOL_XDP, IfXdp.XDP_UMEM_REG, mr);
        }
    }

    /** bind() to queue {@code queueId} of interface {@code ifindex} with sockaddr_xdp flags {@code flags}: 0 or -errno. */
    public static int bind(int fd, int ifindex, int queueId, short flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            MemorySegment sa = a.allocate(SOCKADDR_XDP_SIZE, 4);
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) IfXdp.AF_XDP);
            sa.set(ValueLayout.JAVA_SHORT, 2, flags);
            sa.set(INT, 4, ifindex);
            sa.set(INT, 8, queueId);
            int rc = (int) BIND.invokeExact(state, fd, sa, SOCKADDR_XDP_SIZE);
            return rc < 0 ? -errno(state) : rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0): tells the kernel there is work on the TX ring, what a
     * producer does when {@link XskProdRing#needsWakeup()} says so. 0 or -errno (EAGAIN, EBUSY: try again).
     */
    public static int kick(int fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment state = a.allocate(CAPTURE);
            long rc = (long) SENDTO.invokeExact(state, fd, MemorySegment.NULL, 0L, MSG_DONTWAIT, MemorySegment.NULL, 0);
            return rc < 0 ? -errno(state) : (int) rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** close(2). */
    public static void close(int fd) {
        Bpf.close(fd);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
