package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;

/** Creates live maps from specs. */
public final class Maps {
    private Maps() {}

    /**
     * A new map for the spec; {@link BpfException} for a type, size or flag jxdp cannot provide, with the
     * kernel's reason ({@code map NAME: key size 3: want 4}).
     */
    public static BpfMap create(MapSpec spec) {
        MapType t = spec.mapType();
        if (t == null) {
            throw unsupported(spec, "unknown");
        }
        return switch (t) {
            case ARRAY, PERCPU_ARRAY -> new ArrayMap(spec);
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH -> new HashTab(spec);
            case LPM_TRIE -> new LpmTrie(spec);
            case PROG_ARRAY -> new ProgArray(spec);
            case ARRAY_OF_MAPS -> new ArrayOfMaps(spec);
            case HASH_OF_MAPS -> new HashOfMaps(spec);
            case DEVMAP -> new DevMap(spec);
            case DEVMAP_HASH -> new DevMapHash(spec);
            case CPUMAP -> new CpuMap(spec);
            case XSKMAP -> new XskMap(spec);
            case RINGBUF -> new RingBufMap(spec);
            case PERF_EVENT_ARRAY -> new PerfEventArray(spec);
            default -> throw unsupported(spec, t.kernelName());
        };
    }

    private static BpfException unsupported(MapSpec spec, String name) {
        return new BpfException("map " + spec.name() + ": map type " + spec.type() + " (" + name
                + ") is not supported");
    }
}
