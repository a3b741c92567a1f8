package dev.jxdp.bench;

import dev.jxdp.xdp.NapiWorker;
import dev.jxdp.xdp.RxMode;

/**
 * The cases of {@code jxdp bench datapath} (the page-pool, bulking and RX-stages table), in the order they are printed: a
 * mode of the benchmark datapath with the worker's RX mode and redirect bulk size.
 */
public enum DatapathCase implements BenchCase {
    FLOOR("floor", XdpBenchMode.FLOOR, RxMode.SCALAR, NapiWorker.TX_BULK),
    DROP("drop", XdpBenchMode.DROP, RxMode.SCALAR, NapiWorker.TX_BULK),
    PASS("pass", XdpBenchMode.PASS, RxMode.SCALAR, NapiWorker.TX_BULK),
    TX("tx", XdpBenchMode.TX, RxMode.SCALAR, NapiWorker.TX_BULK),
    REDIRECT("redirect", XdpBenchMode.REDIRECT, RxMode.SCALAR, NapiWorker.TX_BULK),
    REDIRECT_MAP("redirect-map", XdpBenchMode.REDIRECT_MAP, RxMode.SCALAR, NapiWorker.TX_BULK),
    /** redirect-map with a bulk of 1: every redirected frame sent on its own */
    REDIRECT_MAP_NOBULK("redirect-map-nobulk", XdpBenchMode.REDIRECT_MAP, RxMode.SCALAR, 1),
    REDIRECT_CPU("redirect-cpu", XdpBenchMode.REDIRECT_CPU, RxMode.SCALAR, NapiWorker.TX_BULK),
    /** 50% DROP / 30% PASS / 20% TX, one frame at a time */
    MIXED_SCALAR("mixed-scalar", XdpBenchMode.MIXED, RxMode.SCALAR, NapiWorker.TX_BULK),
    /** the same traffic in RX-stages vectors */
    MIXED_VECTOR("mixed-vector", XdpBenchMode.MIXED, RxMode.VECTOR, NapiWorker.TX_BULK);

    private final String label;
    private final XdpBenchMode mode;
    private final RxMode rxMode;
    private final int redirectBulk;

    DatapathCase(String label, XdpBenchMode mode, RxMode rxMode, int redirectBulk) {
        this.label = label;
        this.mode = mode;
        this.rxMode = rxMode;
        this.redirectBulk = redirectBulk;
    }

    /** The case named {@code label} (as in the JSON and the table), or null. */
    public static DatapathCase byLabel(String label) {
        for (DatapathCase c : values()) {
            if (c.label.equals(label)) {
                return c;
            }
        }
        return null;
    }

    /** Every label, comma-separated, for messages. */
    public static String labels() {
        StringBuilder b = new StringBuilder();
        for (DatapathCase c : values()) {
            b.append(b.isEmpty() ? "" : ", ").append(c.label);
        }
        return b.toString();
    }

    /** The case's name in the JSON and the table. */
    @Override
    public String label() { return label; }

    public XdpBenchMode mode() { return mode; }

    public RxMode rxMode() { return rxMode; }

    public int redirectBulk() { return redirectBulk; }

    /** A datapath set up for this case. */
    @Override
    public BenchDatapath open() {
        return open(false);
    }

    /** A datapath set up for this case, its worker entering the program through the BPF dispatcher when {@code dispatcher}. */
    @Override
    public BenchDatapath open(boolean dispatcher) {
        return new BenchDatapath(mode, rxMode, redirectBulk, dispatcher);
    }

    @Override
    public String toString() { return label; }
}
