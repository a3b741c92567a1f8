package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Region;

import java.util.List;

/** BPF_MAP_TYPE_PROG_ARRAY: slots of programs for bpf_tail_call. (stub; the maps work fills it in) */
public abstract class ProgArray extends BpfMap {
    protected ProgArray(MapSpec spec) {
        super(spec);
    }

    /** Puts a program in a slot (BPF_MAP_UPDATE_ELEM with a program fd); null empties it. */
    public abstract void set(int slot, ProgramRef prog);

    /** The program in a slot, or null when empty or out of range. */
    public abstract ProgramRef get(long slot);
}
