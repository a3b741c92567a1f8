package dev.jxdp.bench;

import dev.jxdp.xdp.RxMode;
import dev.jxdp.xdp.RxQueueStats;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The xsk bench's datapath and cases: what each case sets up and that frames reach the socket, not how fast. */
@org.junit.jupiter.api.Timeout(value = 2, unit = java.util.concurrent.TimeUnit.MINUTES)  // a guard against a hang, not a measurement
class XskBenchTest {

    private static final long SLICE = 50_000_000L;

    @Test
    void theCaseNamesAreTheIssuesExactlyInOrder() {
        assertEquals(List.of("generic", "redirect-xsk", "redirect-xsk-batched", "transparent", "transparent-batched"),
                XskCase.table(false).stream().map(XskCase::label).toList());
        assertEquals(List.of("generic-busy-poll", "redirect-xsk-busy-poll", "redirect-xsk-batched-busy-poll",
                "transparent-busy-poll", "transparent-batched-busy-poll"), XskCase.table(true).stream().map(XskCase::label).toList());
        for (XskCase c : XskCase.table(true)) {
            assertEquals(c, XskCase.byLabel(c.baseLabel() + XskCase.BUSY_POLL));
            XskCase twin = XskCase.byLabel(c.baseLabel());
            assertEquals(twin.program(), c.program());
            assertEquals(twin.mode(), c.mode());
            assertEquals(twin.fastPath(), c.fastPath());
        }
        assertEquals(XskCase.TRANSPARENT_BATCHED, BenchCase.byLabel("transparent-batched"), "a child JVM finds it by its label");
        assertNull(XskCase.byLabel("zero-copy"));
    }

    @Test
    void everyCaseDeliversToTheSocketThroughItsOwnPath() {
        for (XskCase c : XskCase.values()) {
            try (XskBench b = c.open()) {
                long n = b.run(SLICE, () -> false);
                RxQueueStats s = b.worker().stats();
                String what = c + ": " + s;
                assertTrue(n > 0, what);
                assertEquals(s.redirect, n, "the figure is the frames delivered: " + what);
                assertEquals(s.rx, s.redirect + s.errors, what);
                assertEquals(c.mode(), b.worker().rxMode(), what);
                // generic: none through the fast path; the others: all of them
                assertEquals(c.baseLabel().equals("generic") ? 0 : s.redirect, s.redirectXsk, what);
                assertEquals(s.redirect, b.sock().rxPackets(), what);
                assertEquals(s.errors, b.sock().rxDropped() + b.sock().rxRingFull(), "each frame not delivered, counted by the socket: " + what);
            }
        }
        assertEquals(RxMode.VECTOR, XskCase.REDIRECT_XSK_BATCHED.mode());
        assertEquals(BuiltinProgram.XSK, XskCase.TRANSPARENT.program(), "an unchanged redirect_map program");
        assertEquals(BuiltinProgram.XSK_REDIRECT_XSK, XskCase.REDIRECT_XSK.program());
    }

    @Test
    void theTargetsAreRatiosOfThisRunAndTheClockComesFromCpuinfo(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        List<XskSuite.Row> rows = List.of(new XskSuite.Row(XskCase.GENERIC, 10, 100, List.of(10.0)),
                new XskSuite.Row(XskCase.REDIRECT_XSK, 12, 1e3 / 12, List.of(12.0)),
                new XskSuite.Row(XskCase.TRANSPARENT, 11.5, 1e3 / 11.5, List.of(11.5)));
        XskSuite.Result r = new XskSuite.Result(rows, 1, 1, 2000);
        assertEquals(200, r.cycles(rows.get(0)), 1e-9, "100 ns at 2 GHz");
        String json = r.json();
        assertTrue(json.contains("\"target\":\"transparent >= 0.97 x redirect-xsk\",\"num\":\"transparent\",\"den\":\"redirect-xsk\","
                + "\"factor\":0.97,\"ratio\":0.958,\"met\":false"), json);
        assertTrue(json.contains("\"target\":\"redirect-xsk >= 1.13 x generic\",\"num\":\"redirect-xsk\",\"den\":\"generic\","
                + "\"factor\":1.13,\"ratio\":1.2,\"met\":true"), json);
        assertTrue(!json.contains("batched"), "only the targets whose cases ran: " + json);
        assertTrue(!json.contains("busy-poll"), "no busy-poll case ran: " + json);
        XskSuite.Result both = new XskSuite.Result(List.of(rows.get(0), rows.get(1),
                new XskSuite.Row(XskCase.GENERIC_BP, 20, 50, List.of(20.0)), new XskSuite.Row(XskCase.REDIRECT_XSK_BP, 30, 1e3 / 30, List.of(30.0))),
                1, 1, 2000);
        assertTrue(both.json().contains("\"num\":\"redirect-xsk-busy-poll\",\"den\":\"generic-busy-poll\",\"factor\":1.13,\"ratio\":1.5"),
                "each setup's cases compared with each other: " + both.json());
        Path info = tmp.resolve("cpuinfo");
        Files.writeString(info, "processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2596.148\n");
        assertEquals(2596.148, XskSuite.cpuMhz(info), 1e-9);
        Files.writeString(info, "processor\t: 0\n");
        assertTrue(Double.isNaN(XskSuite.cpuMhz(info)));
        assertTrue(Double.isNaN(XskSuite.cpuMhz(tmp.resolve("none"))));
        assertTrue(new XskSuite.Result(rows, 1, 1, Double.NaN).json().contains("\"cpu_mhz\":null"));
    }
}
