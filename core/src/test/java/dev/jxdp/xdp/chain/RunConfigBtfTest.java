package dev.jxdp.xdp.chain;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RunConfigBtfTest {

    static final Path BPF = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");

    static ObjectSpec load(String name) {
        return ElfLoader.load(BPF.resolve(name));
    }

    private static final int ABORTED = 1;
    private static final int DROP = 1 << 1;
    private static final int PASS = 1 << 2;
    private static final int TX = 1 << 3;
    private static final int REDIRECT = 1 << 4;

    @Test
    void priorityAndActionsFromTheStruct() {
        assertEquals(new XdpRunConfig(10, PASS | DROP), RunConfigBtf.read(load("chain_run_config.o"), "chain_first"));
    }

    @Test
    void anActionSetToZeroTurnsTheDefaultOff() {
        // __uint(XDP_PASS, 0) clears the default; no priority member keeps 50
        assertEquals(new XdpRunConfig(50, TX), RunConfigBtf.read(load("chain_run_config.o"), "chain_tx"));
    }

    @Test
    void aProgramWithoutAVariableGetsTheDefaults() {
        assertEquals(XdpRunConfig.DEFAULT, RunConfigBtf.read(load("chain_run_config.o"), "chain_plain"));
    }

    @Test
    void theLargestPriorityIsAU32() {
        assertEquals(new XdpRunConfig(4294967295L, ABORTED | PASS | REDIRECT),
                RunConfigBtf.read(load("chain_single.o"), "chain_only"));
    }

    @Test
    void anObjectWithoutTheSectionGivesTheDefaults() {
        Map<String, XdpRunConfig> all = RunConfigBtf.readAll(load("elf_multi.o"));
        assertEquals(List.of("xdp_first", "xdp_second", "xdp_frags"), List.copyOf(all.keySet()));
        all.values().forEach(c -> assertEquals(XdpRunConfig.DEFAULT, c));
    }

    @Test
    void readAllGivesEveryInterfaceProgramInObjectOrder() {
        assertEquals(List.of("chain_first", "chain_tx", "chain_plain"),
                List.copyOf(RunConfigBtf.readAll(load("chain_run_config.o")).keySet()));
    }

    @Test
    void jxdpsRedirectXskIsNoChainCallAction() {
        XdpRunConfig all = new XdpRunConfig(50, XdpRunConfig.ACTION_BITS);
        assertFalse(all.chainCallEnabled(dev.jxdp.XdpAction.REDIRECT_XSK));
        assertEquals("XDP_ABORTED,XDP_DROP,XDP_PASS,XDP_TX,XDP_REDIRECT", XdpRunConfig.actionNames(XdpRunConfig.ACTION_BITS));
    }

    @Test
    void anUnknownMemberIsRefusedAsLibxdpDoes() {
        BpfException e = assertThrows(BpfException.class,
                () -> RunConfigBtf.read(load("chain_bad_run_config.o"), "chain_bad"));
        assertEquals("program chain_bad: .xdp_run_config _chain_bad: unknown member 'XDP_REDIRECT_XSK' (want priority "
                + "or XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT)", e.getMessage());
    }

    @Test
    void aMemberThatIsNotUintIsRefused() {
        BpfException e = assertThrows(BpfException.class,
                () -> RunConfigBtf.read(load("chain_bad_run_config_int.o"), "chain_int"));
        assertEquals("program chain_int: .xdp_run_config _chain_int: member 'priority': kind INT, want "
                + "__uint(priority, value) (a PTR to an ARRAY)", e.getMessage());
    }

    @Test
    void aVariableThatIsNotAStructIsRefused() {
        BpfException e = assertThrows(BpfException.class,
                () -> RunConfigBtf.read(load("chain_bad_run_config_int.o"), "chain_scalar"));
        assertEquals("program chain_scalar: .xdp_run_config _chain_scalar: kind INT, want a struct of __uint() fields",
                e.getMessage());
    }

    @Test
    void actionNamesListTheMaskInCodeOrder() {
        assertEquals("XDP_DROP,XDP_PASS", XdpRunConfig.actionNames(PASS | DROP));
        assertEquals("none", XdpRunConfig.actionNames(0));
    }

    @Test
    void aConfigRefusesAPriorityBeyondU32() {
        BpfException e = assertThrows(BpfException.class, () -> new XdpRunConfig(1L << 32, PASS));
        assertEquals("run config: run_prio 4294967296 out of range 0..4294967295 (libxdp keeps it in an unsigned int)",
                e.getMessage());
    }

    @Test
    void aConfigRefusesBitsBeyondRedirect() {
        assertThrows(BpfException.class, () -> new XdpRunConfig(50, 1 << 5));
    }
}
