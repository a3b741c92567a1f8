package dev.jxdp.xdp;

import dev.jxdp.ebpf.runtime.XdpBuff;

/**
 * The "stack" stage that XDP_PASS frames go to: a Java callback, a pcap writer. It sees the frame while
 * the worker still owns it (data to data_end in {@code buff}) and must copy what it keeps: the worker
 * recycles the page right after.
 */
@FunctionalInterface
public interface PassSink {

    void pass(XdpBuff buff);

    /** The sink that only counts (the frame is freed, as a stack that drops it would). */
    PassSink DISCARD = buff -> { };
}
