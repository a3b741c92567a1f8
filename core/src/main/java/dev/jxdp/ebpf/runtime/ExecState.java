package dev.jxdp.ebpf.runtime;

import dev.jxdp.ebpf.fib.Fib;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.ProgArray;
import dev.jxdp.ebpf.maps.ProgramRef;
import dev.jxdp.ebpf.maps.XskMap;
import dev.jxdp.ebpf.maps.XskSocketRef;
import dev.jxdp.ebpf.mem.AddressSpace;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.mem.Sandbox;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What one CPU (one worker thread) carries while running programs: its stack, the context region, the
 * current frame, the per-CPU bpf_redirect_info, the tail-call count, the trace log. One per worker,
 * reused for every packet; never shared between threads.
 */
public final class ExecState {

    /** MAX_BPF_STACK: bytes of stack per function frame. */
    public static final int STACK_PER_FRAME = 512;
    /** MAX_CALL_FRAMES: the deepest bpf-to-bpf call chain. */
    public static final int MAX_CALL_FRAMES = 8;
    /** MAX_TAIL_CALL_CNT. */
    public static final int MAX_TAIL_CALLS = 33;
    /**
     * BPF_MAX_LOOPS: the times a function's may_goto instructions may fall through in one call before
     * they jump (the counter the kernel keeps in a hidden stack slot of each function that has one).
     */
    public static final long MAY_GOTO_BUDGET = 8 * 1024 * 1024;
    /** Instructions one invocation may execute before the interpreter stops it. */
    public static final long INSN_LIMIT = 1_000_000;

    private final AddressSpace space;
    private final int cpu;
    private final MemorySegment stack;
    private final Region stackRegion;
    private final MemorySegment ctx;
    private final Region ctxRegion;

    private XdpBuff xdp;

    // bpf_redirect_info: where XDP_REDIRECT goes (set by bpf_redirect / bpf_redirect_map)
    public int redirectIfindex;
    public long redirectFlags;
    public long redirectKey;
    // the map of bpf_redirect_map, valid while redirectMapSet: a run clears the flag, not the reference,
    // since a reference store costs a GC write barrier and a program redirects through the same map run
    // after run
    private BpfMap redirectMap;
    private boolean redirectMapSet;
    /**
     * Set with an XSKMAP target: whether the slot's socket is {@link #rxqXskRedirect}, the worker's to take
     * straight (then the key and flags of the redirect info were not written). Read only through
     * {@link #redirectsToRxqXsk()}, which also wants this run's map, so a stale value is never seen.
     */
    public boolean redirectToRxqXsk;

    /**
     * The AF_XDP socket bound to the queue this state runs on when it is the only one (netdev_rx_queue's
     * xsk in the RFC "xsk: add struct xdp_sock to netdev_rx_queue"), set by the datapath worker; null
     * otherwise. bpf_redirect_xsk returns XDP_REDIRECT_XSK when the map's slot holds this very socket.
     * Not per-invocation state: {@link #begin} leaves it alone.
     */
    public XskSocketRef rxqXsk;

    /**
     * {@link #rxqXsk} when the worker takes a plain bpf_redirect_map to it straight to the socket (its
     * transparent fast path), else null; set by the worker. A redirect to it records only the map and
     * {@link #redirectToRxqXsk}, since the worker reads nothing else of it.
     */
    public XskSocketRef rxqXskRedirect;

    /** Tail calls taken in this invocation (the kernel's tail_call_cnt). */
    public int tailCalls;

    private Consumer<String> trace = line -> {};
    private final List<String> traceLines = new ArrayList<>();
    private boolean keepTrace;

    private FunctionCaller caller;
    private long prandomState;
    // the lowest stack address the running function may touch: the bottom of its own frame
    private long stackFloor;

    /** A CPU over {@code space} whose stack and context live in the sandbox as long as {@code arena}. */
    public ExecState(AddressSpace space, int cpu, Arena arena) {
        this.space = space;
        this.cpu = cpu;
        this.stack = Sandbox.allocate(arena, (long) STACK_PER_FRAME * MAX_CALL_FRAMES, 16);
        this.stackRegion = new Region("stack", Region.Kind.STACK, stack, true, this);
        this.ctx = Sandbox.allocate(arena, XdpMdLayout.SIZE, 8);
        this.ctxRegion = new Region("ctx", Region.Kind.CTX, ctx, false, this);
        this.prandomState = System.nanoTime() ^ 0x9E3779B97F4A7C15L * (cpu + 1);
        this.stackFloor = stackTop() - STACK_PER_FRAME;
    }

    public AddressSpace space() { return space; }
    public int cpu() { return cpu; }

    /** The frame pointer (r10) of the outermost function: the top of the stack area. */
    public long stackTop() { return stack.address() + stack.byteSize(); }
    public Region stackRegion() { return stackRegion; }

    /** The frame pointer (r10) of the function at call depth {@code depth} (0 = the program itself). */
    public long framePointer(int depth) { return stackTop() - (long) depth * STACK_PER_FRAME; }

    /**
     * The bottom of the running function's frame: stack below it belongs to no live function, so an
     * access there faults (the verifier only lets a function reach its own frame and, through pointers
     * passed down, its callers'). Engines move it on every bpf-to-bpf call and return.
     */
    public long stackFloor() { return stackFloor; }
    public void stackFloor(long addr) { this.stackFloor = addr; }

    /** The address of the xdp_md the program gets in r1. */
    public long ctxAddr() { return ctx.address(); }
    public Region ctxRegion() { return ctxRegion; }

    public XdpBuff xdp() { return xdp; }

    /** The map bpf_redirect_map() chose in this run, or null (none, or bpf_redirect()). */
    public BpfMap redirectMap() {
        return redirectMapSet ? redirectMap : null;
    }

    /**
     * Whether this run's bpf_redirect_map chose an XSKMAP slot holding {@link #rxqXskRedirect}, the queue's
     * only socket: the redirect seed 002's fast path takes without a new action.
     */
    public boolean redirectsToRxqXsk() {
        return redirectMapSet && redirectToRxqXsk && redirectMap instanceof XskMap;
    }

    /** Sets (or with null clears) the map XDP_REDIRECT goes through. */
    public void redirectMap(BpfMap m) {
        if (m != redirectMap && m != null) {
            redirectMap = m;
        }
        redirectMapSet = m != null;
    }

    /**
     * Takes the redirect info (bpf_redirect_info) {@code other} recorded: the program that set it ran on
     * {@code other} (a chain's part, with its own run state), and this state's owner does the redirect.
     */
    public void redirectFrom(ExecState other) {
        this.redirectIfindex = other.redirectIfindex;
        this.redirectFlags = other.redirectFlags;
        this.redirectKey = other.redirectKey;
        BpfMap m = other.redirectMap();
        // the part's state has no queue socket of its own: whether the slot holds this state's is asked again
        this.redirectToRxqXsk = m instanceof XskMap x && rxqXskRedirect != null
                && x.socket(redirectKey) == rxqXskRedirect;
        redirectMap(m);
    }

    /** Makes this buff the current packet; clears the per-invocation state (redirect info, tail calls). */
    public void begin(XdpBuff buff) {
        // stored only when it changes: a reference store costs a GC write barrier, and a worker begins
        // every run with the same buff
        if (this.xdp != buff) {
            this.xdp = buff;
        }
        this.tailCalls = 0;
        this.redirectIfindex = 0;
        this.redirectFlags = 0;
        this.redirectMapSet = false;
        this.redirectKey = 0;
        // the stack floor is the engines': each sets it as the program's first function starts
    }

    // the namespace's forwarding state bpf_fib_lookup consults
    private Fib fib = Fib.EMPTY;

    /** The FIB bpf_fib_lookup() looks up in: the collection's (see {@link BpfCollection#fib(Fib)}). */
    public Fib fib() { return fib; }
    public void fib(Fib f) { this.fib = f == null ? Fib.EMPTY : f; }

    // the bpf_spin_lock word this run holds, 0 when none: freed when a fault ends the run holding it
    private long heldSpinLock;

    public long heldSpinLock() { return heldSpinLock; }
    public void heldSpinLock(long addr) { this.heldSpinLock = addr; }

    // helpers' per-worker scratch object (bpf_for_each_map_elem's visitor), reused so runs allocate nothing
    private Object helperScratch;

    public Object helperScratch() { return helperScratch; }
    public void helperScratch(Object o) { this.helperScratch = o; }

    /**
     * bpf_tail_call's lookup, shared by both engines (the kernel interpreter's JMP_TAIL_CALL): the index
     * checked against max_entries, then the run's tail-call count, then the slot; the program to jump to,
     * or null when the call falls through. A {@link BpfFault} without an instruction when {@code map} is not
     * a PROG_ARRAY or the slot holds a program no engine here runs: the engine names the call.
     */
    public BpfProgram tailCallTarget(BpfMap map, long index) {
        if (!(map instanceof ProgArray array)) {
            throw new BpfFault("bpf_tail_call: r2 is not a PROG_ARRAY map");
        }
        long slot = index & 0xffffffffL;
        if (slot >= array.maxEntries() || tailCalls >= MAX_TAIL_CALLS) {
            return null;
        }
        ProgramRef target = array.get(slot);
        if (target == null) {
            return null;
        }
        tailCalls++;
        if (!(target instanceof BpfProgram p)) {
            throw new BpfFault("bpf_tail_call: slot " + slot + " holds a program this engine cannot run");
        }
        return p;
    }

    public FunctionCaller caller() { return caller; }
    public void caller(FunctionCaller c) { this.caller = c; }

    /** bpf_get_prandom_u32's per-CPU generator (a xorshift; the kernel uses its own per-CPU PRNG). */
    public int nextRandom() {
        long x = prandomState;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        prandomState = x;
        return (int) (x >>> 16);
    }

    /** Where bpf_trace_printk lines go; test-run collects them for --trace. */
    public void traceTo(Consumer<String> sink) { this.trace = sink; }

    public void keepTrace(boolean keep) { this.keepTrace = keep; }

    public void trace(String line) {
        if (keepTrace) {
            traceLines.add(line);
        }
        trace.accept(line);
    }

    public List<String> traceLines() { return traceLines; }

    /**
     * The region the program may access for [addr, addr + bytes), checking the packet's live bounds
     * (data_meta to data_end), the stack, the context and the collection's regions; null when none.
     * Writes to read-only regions (.rodata, the context) are refused.
     */
    public Region check(long addr, int bytes, boolean write) {
        XdpBuff b = xdp;
        if (b != null && b.inPacket(addr, bytes)) {
            return b.region();
        }
        if (stackRegion.contains(addr, bytes)) {
            return addr >= stackFloor ? stackRegion : null;
        }
        if (ctxRegion.contains(addr, bytes)) {
            return write ? null : ctxRegion;
        }
        Region r = space.find(addr, bytes);
        if (r == null || (write && !r.writable()) || r.kind() == Region.Kind.MAP_OBJECT || r.kind() == Region.Kind.CODE) {
            return null;
        }
        return r;
    }

    /**
     * Checks a helper's pointer argument the way the verifier's ARG_PTR_TO_MEM checks do, throwing a
     * fault that names the helper and argument when it points outside memory the program owns.
     */
    public void checkArg(long addr, long bytes, boolean write, String helper, String arg) {
        if (bytes == 0) {
            return;
        }
        if (bytes < 0 || bytes > Integer.MAX_VALUE || check(addr, (int) bytes, write) == null) {
            throw new BpfFault(helper + ": " + arg + " 0x" + Long.toHexString(addr) + " (" + bytes + " bytes"
                    + (write ? ", written" : "") + ") is outside the program's memory");
        }
    }
}
