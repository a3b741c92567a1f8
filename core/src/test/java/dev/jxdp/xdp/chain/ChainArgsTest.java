package dev.jxdp.xdp.chain;

import dev.jxdp.XdpAction;
import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChainArgsTest {

    private static final Path BPF = RunConfigBtfTest.BPF;
    private static final int DROP = 1 << 1;
    private static final int PASS = 1 << 2;
    private static final int TX = 1 << 3;

    private static String obj(String name) {
        return BPF.resolve(name).toString();
    }

    private static XdpMultiProg list(List<String> members, List<String> actions) {
        return ChainArgs.multiProg(members, actions, ElfLoader::load);
    }

    private static String error(Runnable r) {
        return assertThrows(BpfException.class, r::run).getMessage();
    }

    @Test
    void aMemberIsAFileAlone() {
        assertEquals(new ChainArgs.Member(Path.of("fw.o"), null, OptionalLong.empty()), ChainArgs.Member.parse("fw.o"));
    }

    @Test
    void aMemberMayNameItsProgramAndPriority() {
        assertEquals(new ChainArgs.Member(Path.of("dir/fw.o"), "xdp_fw", OptionalLong.of(7)),
                ChainArgs.Member.parse("dir/fw.o:xdp_fw@7"));
        assertEquals(new ChainArgs.Member(Path.of("fw.o"), null, OptionalLong.of(0)), ChainArgs.Member.parse("fw.o@0"));
    }

    @Test
    void separatorsCountOnlyAfterTheLastSlash() {
        assertEquals(new ChainArgs.Member(Path.of("/tmp/a:b@c/fw.o"), null, OptionalLong.empty()),
                ChainArgs.Member.parse("/tmp/a:b@c/fw.o"));
    }

    @Test
    void aPriorityMustBeAnIntegerInRange() {
        assertEquals("member 'fw.o@high': priority 'high' is not an integer",
                error(() -> ChainArgs.Member.parse("fw.o@high")));
        assertEquals("member 'fw.o@4294967296': priority 4294967296 out of range 0..4294967295 (libxdp's run_prio "
                + "is an unsigned int)", error(() -> ChainArgs.Member.parse("fw.o@4294967296")));
        assertEquals("member 'fw.o@-1': priority -1 out of range 0..4294967295 (libxdp's run_prio is an unsigned int)",
                error(() -> ChainArgs.Member.parse("fw.o@-1")));
    }

    @Test
    void anEmptyProgramOrFileIsRefused() {
        assertEquals("member 'fw.o:@3': empty program name after ':' (want FILE[:PROG][@PRIO])",
                error(() -> ChainArgs.Member.parse("fw.o:@3")));
        assertEquals("member ':xdp': no object file (want FILE[:PROG][@PRIO])",
                error(() -> ChainArgs.Member.parse(":xdp")));
    }

    @Test
    void chainActionsNameActionsInAnyCase() {
        assertEquals(new ChainArgs.ChainActions("fw", PASS | DROP | TX),
                ChainArgs.ChainActions.parse("fw=pass,DROP,xdp_tx"));
        assertEquals(new ChainArgs.ChainActions("fw", 0), ChainArgs.ChainActions.parse("fw=none"));
    }

    @Test
    void chainActionsRefuseAnUnknownActionOrNoProgram() {
        assertEquals("chain actions 'fw=pass,jump': unknown action 'jump' (want aborted, drop, pass, tx or redirect)",
                error(() -> ChainArgs.ChainActions.parse("fw=pass,jump")));
        assertEquals("chain actions '=pass': want PROG=ACTION[,ACTION...] or PROG=none",
                error(() -> ChainArgs.ChainActions.parse("=pass")));
        assertEquals("chain actions 'fw=': unknown action '' (want aborted, drop, pass, tx or redirect)",
                error(() -> ChainArgs.ChainActions.parse("fw=")));
    }

    @Test
    void chainActionsRefuseJxdpsRedirectXsk() {
        // libxdp's chain_call_actions know XDP_ABORTED..XDP_REDIRECT only
        assertEquals("chain actions 'fw=redirect_xsk': unknown action 'redirect_xsk' (want aborted, drop, pass, tx or "
                + "redirect)", error(() -> ChainArgs.ChainActions.parse("fw=redirect_xsk")));
    }

    @Test
    void membersTakeTheirObjectsRunConfigs() {
        XdpMultiProg l = list(List.of(obj("chain_single.o"), obj("chain_run_config.o") + ":chain_tx",
                obj("chain_run_config.o") + ":chain_first"), List.of());
        assertEquals(List.of(
                new XdpMultiProg.Program(BPF.resolve("chain_run_config.o"), "chain_first", 10, PASS | DROP),
                new XdpMultiProg.Program(BPF.resolve("chain_run_config.o"), "chain_tx", 50, TX),
                new XdpMultiProg.Program(BPF.resolve("chain_single.o"), "chain_only", 4294967295L, 0b10101)),
                l.programs());
    }

    @Test
    void aMembersPriorityAndChainActionsReplaceTheObjects() {
        XdpMultiProg l = list(List.of(obj("chain_run_config.o") + ":chain_first@99",
                obj("chain_run_config.o") + ":chain_plain"), List.of("chain_first=tx"));
        assertEquals(List.of(
                new XdpMultiProg.Program(BPF.resolve("chain_run_config.o"), "chain_plain", 50, PASS),
                new XdpMultiProg.Program(BPF.resolve("chain_run_config.o"), "chain_first", 99, TX)), l.programs());
    }

    @Test
    void anObjectIsOpenedOncePerCall() {
        List<Path> opened = new ArrayList<>();
        ChainArgs.multiProg(List.of(obj("chain_run_config.o") + ":chain_tx", obj("chain_run_config.o") + ":chain_plain"),
                List.of(), p -> {
                    opened.add(p);
                    return ElfLoader.load(p);
                });
        assertEquals(List.of(BPF.resolve("chain_run_config.o")), opened);
    }

    @Test
    void leavingOutTheProgramOfAnObjectWithSeveralNamesThem() {
        String f = obj("chain_run_config.o");
        assertEquals(f + ": 3 XDP programs (chain_first, chain_tx, chain_plain): name one as " + f + ":PROG",
                error(() -> list(List.of(f), List.of())));
    }

    @Test
    void aProgramNotInTheObjectIsRefusedNamingItsPrograms() {
        String f = obj("chain_run_config.o");
        assertEquals(f + ": no program nope (its XDP programs: chain_first, chain_tx, chain_plain)",
                error(() -> list(List.of(f + ":nope"), List.of())));
    }

    @Test
    void aProgramForADevmapIsNoMember() {
        String f = obj("elf_multi.o");
        assertEquals(f + ": program xdp_third (section xdp/devmap) is not an XDP program for an interface (its XDP "
                + "programs: xdp_first, xdp_second, xdp_frags)", error(() -> list(List.of(f + ":xdp_third"), List.of())));
    }

    @Test
    void chainActionsForNoMemberAreRefused() {
        assertEquals("chain actions 'other=pass': other is no member (members: chain_only)",
                error(() -> list(List.of(obj("chain_single.o")), List.of("other=pass"))));
    }

    @Test
    void chainActionsGivenTwiceAreRefused() {
        assertEquals("chain actions 'chain_only=tx': chain_only given twice",
                error(() -> list(List.of(obj("chain_single.o")), List.of("chain_only=pass", "chain_only=tx"))));
    }

    @Test
    void aBadRunConfigStopsTheList() {
        assertEquals("program chain_bad: .xdp_run_config _chain_bad: unknown member 'XDP_REDIRECT_XSK' (want priority "
                + "or XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT)",
                error(() -> list(List.of(obj("chain_bad_run_config.o")), List.of())));
    }

    @Test
    void chainMapEntriesGiveActionsAndTheWildcard() {
        ChainCallMap m = ChainArgs.chainCallMap("fw", List.of("fw:pass=lb,drop=log", "lb:*=count", "fw:tx=count"));
        assertEquals("lb", m.next("fw", XdpAction.PASS.code()));
        assertEquals("log", m.next("fw", XdpAction.DROP.code()));
        assertEquals("count", m.next("fw", XdpAction.TX.code()));
        assertEquals("count", m.wildcard("lb"));
        assertEquals("fw", m.first());
    }

    @Test
    void chainMapEntriesRefuseBadSyntax() {
        assertEquals("chain-call map entry 'fw': want PROG:ACTION=NEXT[,ACTION=NEXT...]",
                error(() -> ChainArgs.chainCallMap("fw", List.of("fw"))));
        assertEquals("chain-call map entry 'fw:pass': 'pass': want ACTION=NEXT, ACTION one of aborted, drop, pass, tx, "
                + "redirect or *", error(() -> ChainArgs.chainCallMap("fw", List.of("fw:pass"))));
        assertEquals("chain-call map entry 'fw:skip=lb': unknown action 'skip' (want aborted, drop, pass, tx or "
                + "redirect)", error(() -> ChainArgs.chainCallMap("fw", List.of("fw:skip=lb"))));
    }
}
