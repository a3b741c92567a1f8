package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run of compiled code allocates nothing on the Java heap once warm: the packet path of the datapath
 * must not feed the garbage collector (seed 000). Counted with the thread's allocation counter, not timed.
 */
class JitAllocationTest {

    private static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");
    // 64-byte Ethernet/IPv4/UDP frame; ethertype patched per case
    private static final String UDP = "020000000002020000000001080045000032000100004011"
            + "00000a0000010a00000204d20035001e0000000000000000000000000000000000000000000000000000";

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @ParameterizedTest
    @CsvSource({"fw_parse.o, xdp_firewall, 0800", "count_maps.o, xdp_count, 0800", "conntrack.o, xdp_conntrack, 0800",
            "map_walk.o, xdp_map_walk, 88b5", "calls_loops.o, xdp_calls, 0800", "tail_dispatch.o, xdp_dispatch, 0800"})
    void warmRunsAllocateNothing(String obj, String prog, String ethertype) {
        byte[] frame = HexFormat.of().parseHex(UDP);
        frame[12] = (byte) Integer.parseInt(ethertype.substring(0, 2), 16);
        frame[13] = (byte) Integer.parseInt(ethertype.substring(2), 16);
        try (BpfCollection c = BpfCollection.load(ElfLoader.load(BPF.resolve(obj)));
             Arena arena = Arena.ofConfined()) {
            BpfProgram p = prog == null ? c.programs().get(0) : c.program(prog);
            JitProgram jit = JitCompiler.verifying().program(p);
            XdpBuff buff = XdpBuff.allocate(arena);
            ExecState st = c.newExecState(0);
            st.caller(jit);
            for (int i = 0; i < 20_000; i++) {
                buff.load(frame);
                st.begin(buff);
                jit.run(st);
            }
            long before = allocated();
            for (int i = 0; i < 10_000; i++) {
                buff.load(frame);
                st.begin(buff);
                jit.run(st);
            }
            long bytes = allocated() - before;
            // a few hundred bytes of slack for the counter itself; one object per run would be 80,000+
            assertTrue(bytes < 4096, obj + ": " + bytes + " bytes allocated by 10,000 runs");
        }
    }
}
