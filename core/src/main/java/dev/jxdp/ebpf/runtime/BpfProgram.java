package dev.jxdp.ebpf.runtime;

import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.maps.AttachType;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.ProgramRef;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.mem.Sandbox;

import java.lang.foreign.Arena;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loaded program: its linked instructions, the collection's maps it names by index, and an address
 * range standing for its code so that function pointers (bpf_loop callbacks) are plain 64-bit values
 * like every other pointer: instruction i is at {@code codeBase() + 8 * i}.
 */
public final class BpfProgram implements ProgramRef {

    // the kernel's program ids come from one idr for the whole system, from 1 on, never reused while
    // the program lives; here they are unique within the JVM, in load order
    private static final AtomicInteger NEXT_ID = new AtomicInteger(1);

    private final ProgramSpec spec;
    private final BpfCollection collection;
    private final Region code;
    private final int id = NEXT_ID.getAndIncrement();
    private final String unsupported;
    // the bpf_loop calls the verifier's acceptance inlined (the kernel rewrites them into a loop, whose
    // edge cases differ from the helper's); empty until the program is verified
    private volatile java.util.BitSet inlinedLoops = new java.util.BitSet();

    BpfProgram(ProgramSpec spec, BpfCollection collection, Arena arena, String unsupported) {
        this.spec = spec;
        this.collection = collection;
        this.unsupported = unsupported;
        this.code = new Region("code " + spec.name(), Region.Kind.CODE,
                Sandbox.allocate(arena, Math.max(1, spec.insns().length) * (long) Insn.SIZE, 8), false, this);
    }

    @Override
    public String name() { return spec.name(); }

    /** The program's id (prog->aux->id): what a lookup of a PROG_ARRAY, DEVMAP or CPUMAP entry holding it reports. */
    @Override
    public int id() { return id; }

    @Override
    public AttachType expectedAttachType() { return spec.expectedAttachType(); }

    public String section() { return spec.section(); }

    /**
     * Why jxdp cannot run this program although the kernel could load it (a helper or kfunc jxdp lacks),
     * or null when it can. Such a program is in its collection as libbpf keeps a program it did not load
     * (autoload off): it cannot be run, verified or put in a map.
     */
    public String unsupported() { return unsupported; }

    /** Throws {@link dev.jxdp.ebpf.BpfException} naming the program and {@link #unsupported()} when there is one. */
    public void requireLoaded() {
        if (unsupported != null) {
            throw new dev.jxdp.ebpf.BpfException("program " + name() + " cannot be loaded by jxdp: " + unsupported);
        }
    }

    /**
     * Records the bpf_loop calls the verifier found fit to inline (flags 0 and one callback on every path),
     * as the kernel's verifier rewrites them when it accepts the program.
     */
    public void inlinedLoops(java.util.BitSet calls) {
        inlinedLoops = (java.util.BitSet) calls.clone();
    }

    /** Whether the bpf_loop call at {@code pc} runs as the kernel's inlined loop (see {@link #inlinedLoops}). */
    public boolean loopInlined(int pc) {
        return inlinedLoops.get(pc);
    }

    /** True when jxdp can verify and run this program: an XDP one with nothing jxdp lacks. */
    public boolean runnable() { return unsupported == null && spec.isXdp(); }
    public ProgramSpec spec() { return spec; }
    public Insn[] insns() { return spec.insns(); }
    public BpfCollection collection() { return collection; }

    /** The map a PSEUDO_MAP_IDX / PSEUDO_MAP_IDX_VALUE lddw names. */
    public BpfMap map(int index) { return collection.maps().get(index); }

    public Region codeRegion() { return code; }
    public long codeBase() { return code.base(); }

    /** The address that stands for instruction {@code insn} (a function pointer). */
    public long funcAddr(int insn) { return code.base() + (long) insn * Insn.SIZE; }

    /** The instruction a function pointer points to, or -1 when it is not one of this program's. */
    public int funcInsn(long addr) {
        long off = addr - code.base();
        return off >= 0 && off < code.size() && off % Insn.SIZE == 0 ? (int) (off / Insn.SIZE) : -1;
    }

    @Override
    public String toString() { return spec.name() + " (" + spec.section() + ")"; }
}
