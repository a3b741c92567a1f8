package dev.jxdp.kernel;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.testrun.ProgTestRun;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/** A program loaded in the kernel, owned through its file descriptor; BPF_PROG_TEST_RUN runs it. */
public final class KernelProgram implements AutoCloseable {

    private final ProgramSpec spec;
    private final int fd;
    private final String log;
    private int id;

    KernelProgram(ProgramSpec spec, int fd, String log) {
        this.spec = spec;
        this.fd = fd;
        this.log = log;
    }

    public ProgramSpec spec() { return spec; }

    public String name() { return spec.name(); }

    public String section() { return spec.section(); }

    public int fd() { return fd; }

    /** The verifier's log of the load when one was asked for, else "". */
    public String log() { return log; }

    /** The kernel's id of this program (what a PROG_ARRAY's lookup answers). */
    public int id() {
        if (id == 0) {
            id = KernelObject.infoId(fd, "program " + name());
        }
        return id;
    }

    /**
     * BPF_PROG_TEST_RUN: {@code repeat} runs on one buffer holding {@code data}; with an ingress ifindex or
     * receive queue, ctx_in is a struct xdp_md naming them (the device must exist in this network namespace).
     * The result is the last run's retval, the kernel's average time per run and the bytes from data_meta to
     * data_end; no fault, no trace (the kernel's bpf_trace_printk goes to its trace pipe).
     */
    public ProgTestRun.Result testRun(byte[] data, int repeat, int ingressIfindex, int rxQueue) {
        if (repeat < 1) {
            throw new BpfException("repeat " + repeat + ": want at least 1");
        }
        int outSize = Math.max(8192, 2 * data.length + 4096);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment in = BpfAttr.bytes(a, data);
            MemorySegment out = a.allocate(outSize, 8);
            MemorySegment attr = a.allocate(BpfAttr.TestRun.SIZE, 8);
            BpfAttr.u32(attr, BpfAttr.TestRun.PROG_FD, fd);
            BpfAttr.u32(attr, BpfAttr.TestRun.DATA_SIZE_IN, data.length);
            BpfAttr.u32(attr, BpfAttr.TestRun.DATA_SIZE_OUT, outSize);
            BpfAttr.ptr(attr, BpfAttr.TestRun.DATA_IN, in);
            BpfAttr.ptr(attr, BpfAttr.TestRun.DATA_OUT, out);
            BpfAttr.u32(attr, BpfAttr.TestRun.REPEAT, repeat);
            if (ingressIfindex != 0 || rxQueue != 0) {
                // bpf_prog_test_run_xdp(): no metadata (data 0), data_end the frame's length
                MemorySegment ctx = a.allocate(BpfAttr.XdpMd.SIZE, 8);
                BpfAttr.u32(ctx, BpfAttr.XdpMd.DATA, 0);
                BpfAttr.u32(ctx, BpfAttr.XdpMd.DATA_END, data.length);
                BpfAttr.u32(ctx, BpfAttr.XdpMd.INGRESS_IFINDEX, ingressIfindex);
                BpfAttr.u32(ctx, BpfAttr.XdpMd.RX_QUEUE_INDEX, rxQueue);
                BpfAttr.ptr(attr, BpfAttr.TestRun.CTX_IN, ctx);
                BpfAttr.u32(attr, BpfAttr.TestRun.CTX_SIZE_IN, BpfAttr.XdpMd.SIZE);
            }
            long rc = Bpf.call(Bpf.PROG_TEST_RUN, attr, BpfAttr.TestRun.SIZE);
            if (rc < 0) {
                int errno = (int) -rc;
                throw new KernelRejection("program " + name() + ": BPF_PROG_TEST_RUN: the kernel says "
                        + Bpf.errnoName(errno) + testRunHint(errno, data.length, ingressIfindex, rxQueue), name(), "", errno);
            }
            int n = BpfAttr.u32(attr, BpfAttr.TestRun.DATA_SIZE_OUT);
            byte[] dataOut = out.asSlice(0, Math.min(n, outSize)).toArray(ValueLayout.JAVA_BYTE);
            long retval = Integer.toUnsignedLong(BpfAttr.u32(attr, BpfAttr.TestRun.RETVAL));
            long duration = Integer.toUnsignedLong(BpfAttr.u32(attr, BpfAttr.TestRun.DURATION));
            return new ProgTestRun.Result(retval, duration, dataOut, null, List.of());
        }
    }

    private static String testRunHint(int errno, int size, int ifindex, int rxQueue) {
        if (errno == 22 && size < 14) {
            return " (a frame of " + size + " bytes: at least 14, ETH_HLEN)";
        }
        if (errno == 19 && ifindex != 0) {
            return " (no device has ifindex " + Integer.toUnsignedString(ifindex) + " here)";
        }
        if (errno == 22 && (ifindex != 0 || rxQueue != 0)) {
            return " (ingress_ifindex " + Integer.toUnsignedString(ifindex) + " rx_queue_index "
                    + Integer.toUnsignedString(rxQueue) + ": no such receive queue, or a frame it refuses)";
        }
        return "";
    }

    @Override
    public void close() {
        Bpf.close(fd);
    }

    @Override
    public String toString() {
        return "program " + name() + " (fd " + fd + ")";
    }
}
