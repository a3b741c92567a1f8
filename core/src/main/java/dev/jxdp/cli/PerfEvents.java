package dev.jxdp.cli;

import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.PerfBuffer;
import dev.jxdp.ebpf.maps.PerfEventArray;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.testrun.MapJson;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The perf event readers of a collection: one per possible CPU in each PERF_EVENT_ARRAY map, as libbpf's
 * perf_buffer__new() opens them, and the samples they take. Without readers ({@link #NONE}) every
 * bpf_perf_event_output finds no event and answers -ENOENT, as in the kernel's test run.
 */
final class PerfEvents {

    /** One sample as a reader gets it: the map's JSON name, the CPU of its event, the raw bytes (padded). */
    record Sample(String map, int cpu, byte[] data) {}

    /** Receives samples; {@code data} is reused after the call returns. */
    @FunctionalInterface
    interface Handler {
        void sample(String map, int cpu, byte[] data, int length);
    }

    static final PerfEvents NONE = new PerfEvents(new String[0], new PerfBuffer[0]);

    private final String[] maps;
    private final PerfBuffer[] buffers;

    private PerfEvents(String[] maps, PerfBuffer[] buffers) {
        this.maps = maps;
        this.buffers = buffers;
    }

    /** Attaches a reader with a buffer of {@code bytes} to every CPU's slot of every perf event array. */
    static PerfEvents attach(BpfCollection collection, int bytes) {
        List<String> names = new ArrayList<>();
        List<PerfBuffer> bs = new ArrayList<>();
        for (BpfMap m : collection.maps()) {
            if (m instanceof PerfEventArray pa) {
                for (PerfBuffer b : pa.attachPerCpu(bytes)) {
                    names.add(MapJson.jsonName(m));
                    bs.add(b);
                }
            }
        }
        return new PerfEvents(names.toArray(new String[0]), bs.toArray(new PerfBuffer[0]));
    }

    /** Whether any reader is attached (the object has a perf event array). */
    boolean any() { return buffers.length > 0; }

    /** Hands every sample written so far to {@code handler}, reader by reader; returns how many. */
    long poll(Handler handler) {
        long n = 0;
        for (int i = 0; i < buffers.length; i++) {
            String map = maps[i];
            n += buffers[i].poll((cpu, data, length) -> handler.sample(map, cpu, data, length));
        }
        return n;
    }

    /** Adds every sample written so far to {@code out}, each its own copy. */
    void drain(List<Sample> out) {
        poll((map, cpu, data, length) -> out.add(new Sample(map, cpu, Arrays.copyOf(data, length))));
    }

    /** Samples refused for want of room, over every reader. */
    long lost() {
        long n = 0;
        for (PerfBuffer b : buffers) {
            n += b.lost();
        }
        return n;
    }
}
