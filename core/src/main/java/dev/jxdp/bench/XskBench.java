package dev.jxdp.bench;

import dev.jxdp.ebpf.maps.XskMap;
import dev.jxdp.io.pktgen.PktGen;
import dev.jxdp.io.pktgen.PktGenDriver;
import dev.jxdp.io.pktgen.PktGenSpec;
import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.PagePool;
import dev.jxdp.xdp.PassSink;
import dev.jxdp.xsk.Umem;
import dev.jxdp.xsk.UmemConfig;
import dev.jxdp.xsk.XdpSock;
import dev.jxdp.xsk.XskRxDrop;

import java.util.function.BooleanSupplier;

/**
 * The datapath of {@code jxdp bench xsk}: one device (ifindex 1) with one RX queue, pktgen's 64-byte
 * frames, one NAPI worker polled by the calling thread running the case's program, and one AF_XDP socket
 * bound to the queue (copy mode, libxdp's default UMEM and rings) in XSKMAP slot 0, read by xdpsock's
 * rxdrop on a thread of its own: the seed's setup, one core for the datapath and one for the application.
 * The application runs only while the datapath is measured, so idle cases in other JVMs take no core.
 */
public final class XskBench implements BenchCase.Polled {

    /** Polls between two looks at the clock. */
    private static final int POLLS_PER_CHECK = 64;
    /** Descriptors the application takes per peek (xdpsock's default batch). */
    static final int APP_BATCH = 64;

    private final XskCase which;
    private final PagePool pool;
    private final PktGen gen;
    private final BuiltinProgram.Loaded loaded;
    private final Umem umem;
    private final XdpSock sock;
    private final NapiWorker worker;
    private boolean closed;

    /** The datapath of {@code which}, built and ready to poll. */
    public XskBench(XskCase which) {
        this.which = which;
        this.pool = new PagePool(BenchDatapath.POOL_FRAMES);
        PktGen g = null;
        BuiltinProgram.Loaded p = null;
        Umem u = null;
        try {
            PagePool.Cache cache = pool.cache();
            g = new PktGen(PktGenSpec.parse(BenchDatapath.PKTGEN));
            p = which.program().load();
            u = Umem.allocate(UmemConfig.DEFAULT);
            XdpSock s = new XdpSock(u, 1, 0);
            XskRxDrop.populateFillRing(s);
            if (!(p.collection().map(BuiltinProgram.XSKMAP) instanceof XskMap xsks)) {
                throw new IllegalStateException(which.program().object() + ": no XSKMAP " + BuiltinProgram.XSKMAP);
            }
            xsks.set(0, s);
            PktGenDriver rx = new PktGenDriver(g, pool, cache, 1, 0, -1);
            this.worker = new NapiWorker(pool, cache, rx, new WireTx(cache), PassSink.DISCARD, p.jit(), p.collection(), 0, 1, 0)
                    .rxMode(which.mode()).xskFastPath(which.fastPath()).xsk(s);
            this.sock = s;
            this.gen = g;
            this.loaded = p;
            this.umem = u;
        } catch (RuntimeException e) {
            if (p != null) {
                p.close();
            }
            if (u != null) {
                u.close();
            }
            if (g != null) {
                g.close();
            }
            pool.close();
            throw e;
        }
    }

    /**
     * Polls until {@code nanos} have passed or {@code stop} says so, the application taking frames beside
     * it; returns the frames the datapath delivered to the socket.
     */
    @Override
    public long run(long nanos, BooleanSupplier stop) {
        if (which.busyPoll()) {
            return runBusyPoll(nanos, stop);
        }
        XskRxDrop app = new XskRxDrop(sock, APP_BATCH);
        Thread t = Thread.ofPlatform().name("xsk-rxdrop").daemon().start(app);
        long before = worker.stats().redirect;
        long deadline = System.nanoTime() + nanos;
        try {
            do {
                for (int r = 0; r < POLLS_PER_CHECK; r++) {
                    worker.poll(NapiWorker.BUDGET);
                }
            } while (System.nanoTime() < deadline && !stop.getAsBoolean());
        } finally {
            app.stop();
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return worker.stats().redirect - before;
    }

    // the application between the polls on this thread, as xdpsock -B's recvfrom() runs the driver's NAPI
    // poll on the application's core: one core, no cache line moving between two, no scheduler between them
    private long runBusyPoll(long nanos, BooleanSupplier stop) {
        XskRxDrop app = new XskRxDrop(sock, APP_BATCH);
        long before = worker.stats().redirect;
        long deadline = System.nanoTime() + nanos;
        do {
            for (int r = 0; r < POLLS_PER_CHECK; r++) {
                worker.poll(NapiWorker.BUDGET);
                while (app.step() != 0) {
                    // the RX ring empty again, every chunk back on the fill ring
                }
            }
        } while (System.nanoTime() < deadline && !stop.getAsBoolean());
        return worker.stats().redirect - before;
    }

    /** The case. */
    public XskCase which() { return which; }

    /** The worker. */
    NapiWorker worker() { return worker; }

    /** The socket. */
    XdpSock sock() { return sock; }

    /** Frees the program's maps and the memory; a second close does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sock.close();
        loaded.close();
        umem.close();
        gen.close();
        pool.close();
    }
}
