package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.maps.Cpus;
import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.maps.PerfBuffer;
import dev.jxdp.ebpf.maps.PerfEventArray;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.jit.JitProgram;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.ebpf.testrun.Engine;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bpf_perf_event_output with a reader attached to every CPU's slot (what libbpf's perf_buffer__new() sets
 * up), in the interpreter and the JIT: perf_sample.c's sampler and its flag-driven program. Without a
 * reader the answers are the kernel's in BPF_PROG_TEST_RUN (KernelDifferentialTest, perf_sample.json).
 */
class PerfEventOutputTest {

    private static final long CURRENT_CPU = 0xffffffffL;

    private static BpfCollection load() {
        return BpfCollection.load(ElfLoader.load(ObjectRun.BPF_DIR.resolve("perf_sample.o")));
    }

    private static byte[] frame(int n) {
        byte[] f = new byte[n];
        for (int i = 0; i < n; i++) {
            f[i] = (byte) (i * 7 + 1);
        }
        f[12] = 0x08;
        f[13] = 0x00;
        return f;
    }

    private static byte[] ask(long flags, int events4, int noMeta) {
        byte[] f = frame(60);
        ByteBuffer.wrap(f, 14, 16).order(ByteOrder.LITTLE_ENDIAN).putLong(flags).putInt(events4).putInt(noMeta);
        return f;
    }

    private static long answer(BpfCollection c) {
        byte[] v = c.map("answer").userLookup(new byte[4]);
        return ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static List<byte[]> samples(BpfCollection c, String map, int cpu) {
        for (PerfBuffer b : ((PerfEventArray) c.map(map)).buffers()) {
            if (b.cpu() == cpu) {
                return b.drain();
            }
        }
        throw new AssertionError("no reader on CPU " + cpu);
    }

    private static byte[] expectedSample(int cookie, byte[] frame, int cap) {
        int raw = 4 + cap;
        byte[] s = new byte[((raw + 4 + 7) & ~7) - 4];
        s[0] = (byte) cookie;
        s[1] = (byte) (cookie >> 8);
        s[2] = (byte) frame.length;
        s[3] = (byte) (frame.length >> 8);
        System.arraycopy(frame, 0, s, 4, cap);
        return s;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void theSamplerRecordsMetaAndTheFirst64Bytes(Engine engine) {
        try (BpfCollection c = load()) {
            ((PerfEventArray) c.map("samples")).attachPerCpu(PerfBuffer.DEFAULT_BYTES);
            byte[] f = frame(200);
            ProgTestRun.Result r = ProgTestRun.run(c, c.program("xdp_sampler"), f, 3, false, engine);
            assertEquals(2, r.retval());
            assertEquals(0, answer(c));
            List<byte[]> got = samples(c, "samples", 0);
            assertEquals(3, got.size(), "one sample per run");
            for (byte[] s : got) {
                assertArrayEquals(expectedSample(0xdead, f, 64), s);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aShortFrameIsSampledWhole(Engine engine) {
        try (BpfCollection c = load()) {
            ((PerfEventArray) c.map("samples")).attachPerCpu(PerfBuffer.DEFAULT_BYTES);
            byte[] f = frame(43);
            ProgTestRun.run(c, c.program("xdp_sampler"), f, 1, false, engine);
            // 4 + 43 bytes, 51 with the size word: three zero bytes pad it to 56
            assertArrayEquals(expectedSample(0xdead, f, 43), samples(c, "samples", 0).getFirst());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anIndexOrErrorCodeIsTheKernels(Engine engine) {
        Object[][] cases = {
                // flags, events4, no_meta, return code, samples on CPU 0 of samples / events4
                {CURRENT_CPU | 60L << 32, 0, 0, 0L, 1, 0},
                {0L, 0, 0, 0L, 1, 0},
                {1L, 0, 0, Cpus.possible() > 1 ? -(long) Errno.EOPNOTSUPP : -(long) Errno.E2BIG, 0, 0},
                {0L, 1, 0, 0L, 0, 1},
                {3L, 1, 0, -(long) Errno.ENOENT, 0, 0},
                {4L, 1, 0, -(long) Errno.E2BIG, 0, 0},
                {CURRENT_CPU | 61L << 32, 0, 0, -(long) Errno.EFAULT, 0, 0},
                {1L << 52, 0, 0, -(long) Errno.EINVAL, 0, 0},
                {CURRENT_CPU | 14L << 32, 0, 1, 0L, 1, 0},
        };
        for (Object[] k : cases) {
            try (BpfCollection c = load()) {
                ((PerfEventArray) c.map("samples")).attachPerCpu(PerfBuffer.DEFAULT_BYTES);
                ((PerfEventArray) c.map("events4")).attachPerCpu(PerfBuffer.DEFAULT_BYTES);
                byte[] f = ask((long) k[0], (int) k[1], (int) k[2]);
                ProgTestRun.run(c, c.program("xdp_perf_ask"), f, 1, false, engine);
                String what = "flags 0x" + Long.toHexString((long) k[0]) + " events4 " + k[1];
                assertEquals((long) k[3], answer(c), what);
                List<byte[]> s = samples(c, "samples", 0);
                assertEquals((int) k[4], s.size(), what);
                assertEquals((int) k[5], samples(c, "events4", 0).size(), what);
                if ((int) k[2] == 1 && !s.isEmpty()) {
                    // no meta: the first 14 frame bytes, padded to 14 + 4 -> 24
                    assertArrayEquals(Arrays.copyOf(Arrays.copyOf(f, 14), 20), s.getFirst(), what);
                }
            }
        }
    }

    /** The datapath's case: compiled code writing samples while a reader takes them allocates nothing. */
    @Test
    void warmJitRunsWithAReaderAllocateNothing() {
        try (BpfCollection c = load(); Arena arena = Arena.ofConfined()) {
            PerfBuffer reader = ((PerfEventArray) c.map("samples")).attachPerCpu(PerfBuffer.DEFAULT_BYTES).getFirst();
            JitProgram jit = JitCompiler.verifying().program(c.program("xdp_sampler"));
            XdpBuff buff = XdpBuff.allocate(arena);
            ExecState st = c.newExecState(0);
            st.caller(jit);
            long[] seen = new long[1];
            PerfBuffer.SampleHandler count = (cpu, data, length) -> seen[0] += length;
            byte[] f = frame(200);
            for (int i = 0; i < 20_000; i++) {
                buff.load(f);
                st.begin(buff);
                jit.run(st);
                reader.poll(count);
            }
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                buff.load(f);
                st.begin(buff);
                jit.run(st);
                reader.poll(count);
            }
            long bytes = mx.getCurrentThreadAllocatedBytes() - before;
            assertEquals(30_000L * 68, seen[0], "every run's sample read");
            assertEquals(0, answer(c));
            assertTrue(bytes < 4096, bytes + " bytes allocated by 10,000 runs");
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void withoutAReaderNothingIsRecorded(Engine engine) {
        try (BpfCollection c = load()) {
            ProgTestRun.run(c, c.program("xdp_sampler"), frame(100), 2, false, engine);
            assertEquals(-Errno.ENOENT, answer(c));
            assertTrue(((PerfEventArray) c.map("samples")).buffers().isEmpty());
        }
    }
}
