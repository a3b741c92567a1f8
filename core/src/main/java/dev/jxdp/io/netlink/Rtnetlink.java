package dev.jxdp.io.netlink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A NETLINK_ROUTE socket through the FFM API that runs dumps: one request (RTM_GETLINK, RTM_GETADDR,
 * RTM_GETROUTE, RTM_GETNEIGH with NLM_F_DUMP) and every message of the answer up to NLMSG_DONE. The socket
 * belongs to the network namespace of the thread that opens it.
 */
public final class Rtnetlink implements AutoCloseable {

    /** Message types (uapi/linux/rtnetlink.h, netlink.h). */
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_GETROUTE = 26;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_GETNEIGH = 30;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLM_F_REQUEST = 1;
    static final int NLM_F_DUMP = 0x300;
    /** sizeof(struct nlmsghdr). */
    public static final int NLMSG_HDRLEN = 16;

    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_ROUTE = 0;
    private static final int RECV_BUFFER = 1 << 18;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buf = arena.allocate(RECV_BUFFER, 8);
    private final MemorySegment errno = arena.allocate(Libc.CAPTURE);
    private final int fd;
    private int seq;

    /** Opens the socket in the calling thread's network namespace. */
    public Rtnetlink() throws IOException {
        try {
            fd = (int) Libc.SOCKET.invokeExact(errno, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        } catch (Throwable t) {
            arena.close();
            throw new IOException("netlink socket: " + t, t);
        }
        if (fd < 0) {
            int e = (int) Libc.ERRNO.get(errno, 0L);
            arena.close();
            throw new IOException("netlink socket: errno " + e);
        }
    }

    /**
     * Sends request {@code type} with NLM_F_DUMP and {@code body} (the family header, e.g. an rtmsg) and
     * returns the answer's messages in order, each its type and the payload after its nlmsghdr.
     */
    public List<Message> dump(int type, byte[] body) throws IOException {
        int len = NLMSG_HDRLEN + body.length;
        ByteBuffer req = ByteBuffer.allocate(align(len)).order(ByteOrder.nativeOrder());
        int mySeq = ++seq;
        req.putInt(len).putShort((short) type).putShort((short) (NLM_F_REQUEST | NLM_F_DUMP)).putInt(mySeq).putInt(0);
        req.put(body);
        MemorySegment.copy(MemorySegment.ofArray(req.array()), 0, buf, 0, len);
        try {
            long sent = (long) Libc.SEND.invokeExact(errno, fd, buf, (long) len, 0);
            if (sent != len) {
                throw new IOException("netlink send: errno " + (int) Libc.ERRNO.get(errno, 0L));
            }
            List<Message> out = new ArrayList<>();
            while (true) {
                long n = (long) Libc.RECV.invokeExact(errno, fd, buf, (long) RECV_BUFFER, 0);
                if (n < 0) {
                    int e = (int) Libc.ERRNO.get(errno, 0L);
                    if (e == 4) {
                        continue;  // EINTR
                    }
                    throw new IOException("netlink recv: errno " + e);
                }
                ByteBuffer b = ByteBuffer.wrap(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE)).order(ByteOrder.nativeOrder());
                int at = 0;
                while (at + NLMSG_HDRLEN <= n) {
                    int mlen = b.getInt(at);
                    int mtype = b.getShort(at + 4) & 0xffff;
                    int mseq = b.getInt(at + 8);
                    if (mlen < NLMSG_HDRLEN || at + mlen > n) {
                        throw new IOException("netlink: truncated message");
                    }
                    if (mseq == mySeq) {
                        if (mtype == NLMSG_DONE) {
                            return out;
                        }
                        if (mtype == NLMSG_ERROR) {
                            int err = b.getInt(at + NLMSG_HDRLEN);
                            throw new IOException("netlink dump of type " + type + ": errno " + -err);
                        }
                        byte[] payload = new byte[mlen - NLMSG_HDRLEN];
                        b.get(at + NLMSG_HDRLEN, payload);
                        out.add(new Message(mtype, ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder())));
                    }
                    at += align(mlen);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("netlink: " + t, t);
        }
    }

    /** One answer message: its type and its payload (the family header, then attributes). */
    public record Message(int type, ByteBuffer payload) {}

    /** NLMSG_ALIGN / RTA_ALIGN: 4 bytes. */
    public static int align(int n) {
        return (n + 3) & ~3;
    }

    @Override
    public void close() {
        try {
            int ignored = (int) Libc.CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // nothing to do: the descriptor is gone either way
        }
        arena.close();
    }

    private static final class Libc {
        static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final MethodHandle SOCKET = handle("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), true);
        static final MethodHandle SEND = handle("send", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), true);
        static final MethodHandle RECV = handle("recv", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), true);
        static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                false);

        private static MethodHandle handle(String name, FunctionDescriptor fd, boolean errno) {
            Linker linker = Linker.nativeLinker();
            MemorySegment fn = linker.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException(
                    "libc has no " + name + " (rtnetlink needs Linux)"));
            return errno ? linker.downcallHandle(fn, fd, Linker.Option.captureCallState("errno"))
                    : linker.downcallHandle(fn, fd);
        }
    }
}
