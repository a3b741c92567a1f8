package dev.jxdp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jxdp run} with several {@code --obj} (issue 17) and {@code jxdp chain show}: libxdp's order and
 * actions read from the objects' .xdp_run_config, changed on the command line, a chain-call map instead,
 * both executors, the per-program counts, and one line and exit status 2 for a chain that cannot be.
 */
class RunChainTest {

    // chain_first (run_prio 10, continues on XDP_PASS and XDP_DROP) returns XDP_PASS; chain_plain (50, no
    // config) XDP_DROP; chain_tx (50, continues on XDP_TX only) XDP_TX
    private static final String OBJ = CliTest.BPF.resolve("chain_run_config.o").toString();

    private static JsonNode program(JsonNode run, String name) {
        for (JsonNode p : run.get("chain").get("programs")) {
            if (p.get("program").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError(name + " not in " + run);
    }

    @ParameterizedTest
    @ValueSource(strings = {"compiled", "dynamic", "tailcall"})
    void theObjectsRunConfigOrdersTheProgramsAndEachStopsWhereItsActionsSay(String executor) throws Exception {
        JsonNode r = RunCommandTest.json(CliTest.jxdp("run", "--obj", OBJ + ":chain_tx", "--obj", OBJ + ":chain_plain",
                "--obj", OBJ + ":chain_first", "--chain", executor, "--in", "pktgen:flows=8", "--count", "1000", "--json"));
        assertEquals(1000, r.get("rx").asLong());
        assertEquals(1000, r.get("drop").asLong(), "chain_first passes to chain_plain, which drops: " + r);
        assertEquals(executor, r.get("chain").get("executor").asText());
        assertEquals(1000, program(r, "chain_first").get("runs").asLong());
        assertEquals(1000, program(r, "chain_first").get("pass").asLong());
        assertEquals(1000, program(r, "chain_plain").get("drop").asLong());
        assertEquals(0, program(r, "chain_tx").get("runs").asLong(), "XDP_DROP is not chain_plain's to continue on");
    }

    @Test
    void actionsFromTheCommandLineAndALastProgramThatContinuesEndInPassAsLibxdpsDispatcher() throws Exception {
        JsonNode r = RunCommandTest.json(CliTest.jxdp("run", "--obj", OBJ + ":chain_first", "--obj", OBJ + ":chain_plain",
                "--obj", OBJ + ":chain_tx", "--chain-actions", "chain_plain=drop", "--in", "pktgen:flows=8", "--count", "500",
                "--json"));
        assertEquals(500, program(r, "chain_tx").get("tx").asLong(), r.toString());
        assertEquals(500, r.get("pass").asLong(), "chain_tx continues on XDP_TX and is last: XDP_PASS");
    }

    @Test
    void aPriorityOnTheCommandLineComesBeforeTheObjects() throws Exception {
        JsonNode r = RunCommandTest.json(CliTest.jxdp("run", "--obj", OBJ + ":chain_first", "--obj", OBJ + ":chain_plain@1",
                "--in", "pktgen:flows=8", "--count", "300", "--json"));
        assertEquals(300, program(r, "chain_plain").get("drop").asLong(), r.toString());
        assertEquals(0, program(r, "chain_first").get("runs").asLong());
    }

    @Test
    void aChainCallMapStartsAtTheFirstObjAndFollowsItsEntries() throws Exception {
        JsonNode r = RunCommandTest.json(CliTest.jxdp("run", "--obj", OBJ + ":chain_first", "--obj", OBJ + ":chain_tx",
                "--obj", OBJ + ":chain_plain", "--chain-map", "chain_first:pass=chain_tx", "--in", "pktgen:flows=8",
                "--count", "200", "--json"));
        assertEquals(200, r.get("tx").asLong(), "chain_first -> chain_tx, whose XDP_TX has no entry: " + r);
        assertEquals(0, program(r, "chain_plain").get("runs").asLong());
    }

    @Test
    void mapInitGoesToTheObjectThatHasEachMap(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // chain_first passes every frame to xdp_to_cpu (another object), which redirects it to its CPUMAP;
        // the map-init JSON names that object's map only, and the entry's program is that object's too
        Path init = tmp.resolve("cpus.json");
        java.nio.file.Files.writeString(init, "{\"maps\": {\"cpus\": [{\"key\": \"00000000\", \"value\": \"00010000\", "
                + "\"prog\": \"xdp_cpu_stage\"}]}}");
        JsonNode r = RunCommandTest.json(CliTest.jxdp("run", "--obj", OBJ + ":chain_first", "--obj",
                CliTest.BPF.resolve("maps_cpumap_prog.o") + ":xdp_to_cpu", "--map-init", init.toString(), "--in",
                "pktgen:flows=8", "--count", "500", "--json"));
        assertEquals(500, r.get("redirect").asLong() + r.get("errors").asLong(), r.toString());
        JsonNode c = r.get("cpumap").get(0);
        assertEquals(r.get("redirect").asLong(), c.get("enqueued").asLong(), r.toString());
        assertTrue(c.get("enqueued").asLong() > 0, r.toString());
        Path bad = tmp.resolve("bad.json");
        java.nio.file.Files.writeString(bad, "{\"maps\": {\"nope\": []}}");
        CliTest.Run e = CliTest.jxdp("run", "--obj", OBJ + ":chain_first", "--obj",
                CliTest.BPF.resolve("maps_cpumap_prog.o") + ":xdp_to_cpu", "--map-init", bad.toString(), "--in", "pktgen:",
                "--count", "10");
        assertEquals(2, e.status(), e.err());
        assertTrue(e.err().contains("no object has a map nope"), e.err());
    }

    @Test
    void showPrintsTheOrderAndWhereEachCodeGoes() throws Exception {
        CliTest.Run r = CliTest.jxdp("chain", "show", "--obj", OBJ + ":chain_tx", "--obj", OBJ + ":chain_plain",
                "--obj", OBJ + ":chain_first");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        assertTrue(lines[1].matches("0\\s+chain_first\\s+10\\s+XDP_DROP,XDP_PASS\\s+.*"), r.out());
        assertTrue(lines[2].matches("1\\s+chain_plain\\s+50\\s+XDP_PASS\\s+.*"), r.out());
        assertTrue(lines[3].matches("2\\s+chain_tx\\s+50\\s+XDP_TX\\s+.*"), r.out());
        assertTrue(r.out().contains("chain_tx: XDP_TX -> return XDP_PASS; else return the code"), r.out());
        JsonNode j = new ObjectMapper().readTree(CliTest.jxdp("chain", "show", "--obj", OBJ + ":chain_first", "--obj",
                OBJ + ":chain_plain", "--json").out());
        assertEquals("chain_plain", j.get("steps").get(0).get("next").get("XDP_PASS").asText(), j.toString());
        assertEquals("return", j.get("steps").get(0).get("next").get("XDP_TX").asText());
    }

    @Test
    void aChainThatCannotBeIsOneLineAndStatus2() {
        String[][] bad = {
            {"--obj", OBJ + ":chain_first", "--obj", OBJ + ":chain_first"},
            {"--obj", OBJ + ":chain_first", "--obj", OBJ + ":nope"},
            {"--obj", OBJ, "--obj", OBJ + ":chain_tx"},
            {"--obj", OBJ + ":chain_first@4294967296", "--obj", OBJ + ":chain_tx"},
            {"--obj", OBJ + ":chain_first", "--obj", OBJ + ":chain_tx", "--chain-map", "chain_first:pass=chain_tx",
                "--chain-map", "chain_tx:tx=chain_first"},
            {"--obj", OBJ + ":chain_first", "--obj", OBJ + ":chain_tx", "--chain-map", "chain_first:pass=chain_plain"},
            {"--obj", OBJ + ":chain_first", "--obj", OBJ + ":chain_tx", "--chain", "jump"},
            {"--obj", OBJ + ":chain_first", "--obj", OBJ + ":chain_tx", "--prog", "chain_tx"},
            {"--obj", OBJ + ":chain_first", "--obj", OBJ + ":chain_tx", "--chain-actions", "chain_plain=drop"},
        };
        for (String[] args : bad) {
            String[] full = new String[args.length + 5];
            full[0] = "run";
            System.arraycopy(args, 0, full, 1, args.length);
            System.arraycopy(new String[] {"--in", "pktgen:", "--count", "10"}, 0, full, args.length + 1, 4);
            CliTest.Run r = CliTest.jxdp(full);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
            assertEquals("", r.out());
        }
    }
}
