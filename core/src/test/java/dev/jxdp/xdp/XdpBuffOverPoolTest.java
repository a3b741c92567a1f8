package dev.jxdp.xdp;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.interp.Interpreter;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfProgram;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;
import dev.jxdp.ebpf.testrun.Engine;
import dev.jxdp.ebpf.testrun.ProgTestRun;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A worker's one xdp_buff pointed at page after page of a pool runs programs exactly as test-run's own
 * frame does: same action, same bytes out, for the interpreter, the checked and the verified JIT.
 */
class XdpBuffOverPoolTest {

    private static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");
    private static final byte[] UDP = HexFormat.of().parseHex("020000000002020000000001080045000032000100004011"
            + "00000a0000010a00000204d20035001e0000000000000000000000000000000000000000000000000000");

    @ParameterizedTest
    @CsvSource({"rewrite_tx.o, xdp_reflect", "encap_head.o, xdp_encap_ipip", "encap_head.o, xdp_push_vlan",
            "adjust_meta.o, ", "csum_nat.o, xdp_snat", "fw_parse.o, xdp_firewall"})
    void pagesOfAPoolRunAsTestRunsFrame(String obj, String prog) {
        ObjectSpec o = ElfLoader.load(BPF.resolve(obj));
        ProgTestRun.Result want;
        try (BpfCollection c = BpfCollection.load(o)) {
            BpfProgram p = prog == null ? c.programs().get(0) : c.program(prog);
            want = ProgTestRun.run(c, p, UDP, 1, false, Engine.INTERP);
        }
        try (PagePool pool = new PagePool(8, true)) {
            PagePool.Cache cache = pool.cache();
            XdpBuff buff = XdpBuff.overPool(pool.memory());
            buff.ingressIfindex = dev.jxdp.ebpf.fib.Fib.LOOPBACK_IFINDEX;
            int skipped = cache.alloc();  // so the pages used are not the pool's first: the buff must follow its page
            for (int engine = 0; engine < 3; engine++) {
                try (BpfCollection c = BpfCollection.load(o)) {
                    BpfProgram p = prog == null ? c.programs().get(0) : c.program(prog);
                    ExecState st = c.newExecState(0);
                    int id = cache.alloc();
                    long page = pool.address(id);
                    Mem.write(page + PagePool.HEADROOM, UDP);
                    buff.attach(page, PagePool.HEADROOM, UDP.length, 0);
                    st.begin(buff);
                    long r0 = switch (engine) {
                        case 0 -> new Interpreter().run(p, st);
                        case 1 -> JitCompiler.compile(p).run(st);
                        default -> JitCompiler.verifying().program(p).run(st);
                    };
                    String which = obj + " engine " + engine;
                    assertEquals(want.retval(), r0, which);
                    assertArrayEquals(want.dataOut(), buff.bytesFromMeta(), which);
                    cache.recycleDirect(id);
                }
            }
            cache.recycleDirect(skipped);
            cache.drain();
            assertEquals(0, pool.framesOutstanding());
        }
    }

    @org.junit.jupiter.api.Test
    void aPageOutsideThePoolOrDataPastTheTailroomIsRefused() {
        try (PagePool pool = new PagePool(2, false)) {
            XdpBuff buff = XdpBuff.overPool(pool.memory());
            long last = pool.address(1);
            buff.attach(last, PagePool.HEADROOM, XdpBuff.MAX_DATA, 0);
            assertEquals(XdpBuff.MAX_DATA, buff.length());
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> buff.attach(last + PagePool.FRAME_SIZE, PagePool.HEADROOM, 60, 0));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> buff.attach(last, PagePool.HEADROOM, XdpBuff.MAX_DATA + 1, 0));
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> buff.attach(last, 4, 60, 8));
        }
    }
}
