package dev.jxdp.ebpf.helpers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * bpf_tail_call's limit against the kernel: helper_tailcall.c's tc_entry tries an empty slot 40 times, then
 * enters tc_self, which counts its runs and tail-calls itself. Linux 6.18 (x86-64 JIT) answered retval 3
 * and cnt 33: attempts on an empty slot do not count towards MAX_TAIL_CALL_CNT, successful ones do.
 */
class TailCallTest {

    @Test
    void emptySlotsDoNotCountAndTheChainStopsAt33() {
        try (ObjectRun o = new ObjectRun("helper_tailcall.o")) {
            assertEquals(3, o.run("tc_entry", new byte[64]));
            assertEquals(33, o.s64("cnt", 0));
            assertEquals(33, o.st.tailCalls);
        }
    }
}
