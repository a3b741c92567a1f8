package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.BpfException;

/** Creates live maps from specs. */
public final class Maps {
    private Maps() {}

    /** A new map for the spec; {@link BpfException} for a type, size or flag jxdp cannot provide. */
    public static BpfMap create(MapSpec spec) {
        throw new BpfException("map " + spec.name() + ": map type " + spec.type() + " is not supported yet");
    }
}
