package dev.jxdp.xdp.dispatch;

import dev.jxdp.ebpf.jit.JitCode;
import dev.jxdp.ebpf.jit.JitProgram;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MutableCallSite;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.jxdp.xdp.dispatch.CodeDescs.CD_CODE;
import static dev.jxdp.xdp.dispatch.CodeDescs.CD_CX;
import static dev.jxdp.xdp.dispatch.CodeDescs.CD_ST;
import static dev.jxdp.xdp.dispatch.CodeDescs.CF;
import static dev.jxdp.xdp.dispatch.CodeDescs.ENTER;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;

/**
 * The BPF dispatcher (kernel/bpf/dispatcher.c): turns the one virtual call every compiled program is
 * entered by ({@link JitCode#enter}, a call site whose type profile all programs share, megamorphic once it
 * has seen three classes: the JVM's retpoline) into a binary search over the known programs' ids ending in
 * calls on constant receivers, which C2 binds statically and inlines into the caller.
 *
 * <p>Each unique compiled program ({@link JitCode}) has one slot, shared by every device or queue running
 * it and refcounted ({@link #change}); at most {@link #MAX} slots, as BPF_DISPATCHER_MAX. A program that
 * finds no free slot is still reached, through the plain virtual call the search falls back to, and takes
 * the first slot that is freed.
 *
 * <p>The dispatch code is a hidden class generated for the current set of slots; the programs are its
 * class data, loaded as dynamic constants. Callers reach it through a {@link MutableCallSite}'s
 * {@linkplain #invoker invoker}: a change builds a new class and sets the site's target, the analogue of
 * the kernel's text poke (C2 deoptimises the code that inlined the old target, as the kernel's callers
 * fall onto the new image). Changes are serialised by a lock; calls take none.
 */
public final class BpfDispatcher {

    /** Slots, as the kernel's BPF_DISPATCHER_MAX. */
    public static final int MAX = 48;

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final MethodTypeDesc DISPATCH = MethodTypeDesc.of(CD_long, CD_CODE, CD_CX, CD_ST, CD_long, CD_long,
            CD_long, CD_long, CD_long, CD_int);
    /** Leaves per method of the dispatch class (a leaf is about 30 bytes of bytecode; 8 make about 280). */
    static final int GROUP = 8;
    private static final MethodTypeDesc GROUP_METHOD = DISPATCH.insertParameterTypes(DISPATCH.parameterCount(), CD_int);

    // dispatch's locals: code 0, cx 1, st 2, r1..r5 3,5,7,9,11, depth 13, the id 14 (a group's parameter)
    private static final int ID_LOCAL = 14;

    // after the constants above, which building its first dispatch class uses
    static final BpfDispatcher XDP = new BpfDispatcher(MAX);
    // the system-wide dispatcher's invoker as a static final: a constant C2 inlines through
    static final MethodHandle XDP_INVOKER = XDP.invoker;

    private final int max;
    private final MutableCallSite site = new MutableCallSite(JitProgram.ENTRY);
    private final MethodHandle invoker = site.dynamicInvoker();
    // every program some user holds, with its users, in the order they came (the waiting get slots in it)
    private final Map<JitCode, int[]> refs = new LinkedHashMap<>();
    private final Map<JitCode, Boolean> slotted = new IdentityHashMap<>();
    private long generation;

    BpfDispatcher(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("dispatcher slots " + max + ": want 0 or more");
        }
        this.max = max;
        site.setTarget(build(List.of()));
    }

    /** The system-wide dispatcher of XDP programs (the kernel has one, bpf_dispatcher_xdp). */
    public static BpfDispatcher xdp() { return XDP; }

    /**
     * The handle callers enter programs through, of type {@link JitProgram#ENTRY}: always the current
     * dispatch code. Hold it in a static final field (or give it to {@link JitProgram#runVia} from one), so
     * that C2 sees a constant and inlines the dispatch and the program.
     */
    public MethodHandle invoker() { return invoker; }

    /**
     * bpf_dispatcher_change_prog(): one user moves from {@code from} to {@code to} (either null: an attach
     * or a detach). A program's first user gives it a slot if one is free; its last user's leaving frees
     * the slot, which the program waiting longest takes. The dispatch code is rebuilt and swapped in once,
     * and only when the slots changed.
     */
    public void change(JitCode from, JitCode to) {
        if (from == to) {
            return;
        }
        synchronized (this) {
            boolean changed = false;
            if (to != null) {
                int[] n = refs.get(to);
                if (n == null) {
                    refs.put(to, new int[] {1});
                    if (slotted.size() < max) {
                        slotted.put(to, Boolean.TRUE);
                        changed = true;
                    }
                } else {
                    n[0]++;
                }
            }
            if (from != null) {
                int[] n = refs.get(from);
                if (n == null) {
                    throw new IllegalStateException("program " + from.id() + " has no user in the dispatcher");
                }
                if (--n[0] == 0) {
                    refs.remove(from);
                    if (slotted.remove(from) != null) {
                        changed = true;
                        promoteWaiting();
                    }
                }
            }
            if (changed) {
                swap();
            }
        }
    }

    // the program waiting longest for a slot takes the one just freed
    private void promoteWaiting() {
        for (JitCode c : refs.keySet()) {
            if (!slotted.containsKey(c)) {
                slotted.put(c, Boolean.TRUE);
                return;
            }
        }
    }

    // the text poke: a new dispatch class for the current slots, set as the call site's target. syncAll is
    // synchronize_rcu's place: after it every thread calls the new code; a call already in the old code
    // finishes there, which is still right, since the old code reaches the same programs by the same ids
    private void swap() {
        List<JitCode> codes = new ArrayList<>(slotted.keySet());
        codes.sort(Comparator.comparingInt(JitCode::id));
        site.setTarget(build(codes));
        MutableCallSite.syncAll(new MutableCallSite[] {site});
        generation++;
    }

    /** Programs with a slot (at most {@link #MAX}). */
    public synchronized int slots() { return slotted.size(); }

    /** Programs some user holds, with a slot or waiting for one. */
    public synchronized int programs() { return refs.size(); }

    /** Whether {@code code} has a slot: its calls are direct; otherwise they take the fallback. */
    public synchronized boolean hasSlot(JitCode code) { return slotted.containsKey(code); }

    /** How many users hold {@code code} (0: none). */
    public synchronized int users(JitCode code) {
        int[] n = refs.get(code);
        return n == null ? 0 : n[0];
    }

    /** How many times the dispatch code has been replaced (text pokes). */
    public synchronized long generation() { return generation; }

    /** The slot capacity of this dispatcher. */
    public int capacity() { return max; }

    // a dispatch class over codes (sorted by id) and a handle to its dispatch method
    private static MethodHandle build(List<JitCode> codes) {
        int[] ids = new int[codes.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = codes.get(i).id();
        }
        byte[] bytes = classBytes(ids);
        try {
            MethodHandles.Lookup l = LOOKUP.defineHiddenClassWithClassData(bytes, List.copyOf(codes), true);
            return l.findStatic(l.lookupClass(), "dispatch", JitProgram.ENTRY);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the dispatcher's class does not load: " + e, e);
        }
    }

    /**
     * The bytes of a dispatch class over programs with these ids (ascending), whose class data is the
     * list of their code in the same order: {@code static long dispatch(JitCode code, JitProgram cx,
     * ExecState st, long r1..r5, int depth)}. The search is cut into methods so that C2 inlines all of it
     * into the caller, as the kernel's caller reaches its program by jumps alone. C2 inlines a call of a
     * method larger than MaxInlineSize (35 bytes of bytecode) only if the call site runs in at least a
     * quarter of its method's invocations (InlineFrequencyRatio), and then up to FreqInlineSize (325
     * bytes): so a method holds either the leaves of at most {@link #GROUP} programs (about 30 bytes each)
     * or a choice
     * among at most {@link #FANOUT} parts, each a method of its own that gets a third of the calls when
     * traffic is spread evenly. Cut into many groups under one method instead, each group's call runs in
     * 1/8 of the calls at 48 programs and stays a call ("too big"). A leaf's call of the program's
     * {@code enter} (the program's body, most programs far over 35 bytes) follows the same rule: inlined
     * where its leaf gets a quarter of its method's calls (up to four programs), a direct call otherwise,
     * as the kernel's dispatcher calls every program.
     */
    static byte[] classBytes(int[] ids) {
        ClassDesc self = ClassDesc.of(BpfDispatcher.class.getPackageName() + ".Dispatch" + ids.length);
        List<int[]> parts = new ArrayList<>();
        addParts(0, ids.length - 1, parts);
        return CF.build(self, cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            cb.withMethodBody("dispatch", DISPATCH, ClassFile.ACC_STATIC | ClassFile.ACC_PUBLIC, c -> {
                c.aload(0).invokevirtual(CD_CODE, "id", MethodTypeDesc.of(CD_int)).istore(ID_LOCAL);
                body(c, self, ids, 0, ids.length - 1);
            });
            for (int[] part : parts) {
                cb.withMethodBody(partName(part[0], part[1]), GROUP_METHOD,
                        ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE, c -> body(c, self, ids, part[0], part[1]));
            }
            // not in a slot (or no slots at all): the plain virtual call, the kernel's indirect jump. One
            // method for every miss, so that where a call came from tells a direct call from the fallback
            cb.withMethodBody("fallback", DISPATCH, ClassFile.ACC_STATIC | ClassFile.ACC_PRIVATE, c -> {
                c.aload(0);
                enterArgs(c);
                c.invokevirtual(CD_CODE, "enter", ENTER).lreturn();
            });
        });
    }

    /** Parts a method of the dispatch class chooses among, when it has more than {@link #GROUP} programs. */
    static final int FANOUT = 3;

    private static String partName(int lo, int hi) { return "part" + lo + "_" + hi; }

    // the parts a method over [lo..hi] chooses among: none when it holds the leaves, else up to FANOUT of
    // about equal size, each ending at its index in the array returned
    private static int[] split(int lo, int hi) {
        int n = hi - lo + 1;
        if (n <= GROUP) {
            return new int[0];
        }
        int[] ends = new int[Math.min(FANOUT, (n + GROUP - 1) / GROUP)];
        for (int p = 0; p < ends.length; p++) {
            ends[p] = lo + n * (p + 1) / ends.length - 1;
        }
        return ends;
    }

    // every method below the one over [lo..hi], as {lo, hi} pairs
    private static void addParts(int lo, int hi, List<int[]> parts) {
        int from = lo;
        for (int to : split(lo, hi)) {
            parts.add(new int[] {from, to});
            addParts(from, to, parts);
            from = to + 1;
        }
    }

    // the search over ids[lo..hi] in one method: its leaves, or the choice of the part that may hold the id
    private static void body(CodeBuilder c, ClassDesc self, int[] ids, int lo, int hi) {
        int[] ends = split(lo, hi);
        if (ends.length == 0) {
            searchMethod(c, self, ids, lo, hi);
            return;
        }
        int from = lo;
        for (int p = 0; p < ends.length; p++) {
            int to = ends[p];
            Label next = c.newLabel();
            boolean last = p == ends.length - 1;
            if (!last) {
                c.iload(ID_LOCAL).loadConstant(ids[to]).if_icmpgt(next);
            }
            c.aload(0);
            enterArgs(c);
            c.iload(ID_LOCAL).invokestatic(self, partName(from, to), GROUP_METHOD).lreturn();
            if (!last) {
                c.labelBinding(next);
            }
            from = to + 1;
        }
    }

    // a method's search over ids[lo..hi], its misses joined at one fallback call
    private static void searchMethod(CodeBuilder c, ClassDesc self, int[] ids, int lo, int hi) {
        Label miss = c.newLabel();
        if (lo <= hi) {
            search(c, ids, lo, hi, miss);
        }
        c.labelBinding(miss);
        c.aload(0);
        enterArgs(c);
        c.invokestatic(self, "fallback", DISPATCH).lreturn();
    }

    // the kernel's emit_bpf_dispatcher(): halve the sorted ids until one is left, then compare for equality
    // and call that program, whose code is a constant: C2 knows its exact class and inlines its enter
    private static void search(CodeBuilder c, int[] ids, int lo, int hi, Label miss) {
        if (lo == hi) {
            c.iload(ID_LOCAL).loadConstant(ids[lo]).if_icmpne(miss);
            c.ldc(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, ConstantDescs.DEFAULT_NAME, CD_CODE, lo));
            enterArgs(c);
            c.invokevirtual(CD_CODE, "enter", ENTER).lreturn();
            return;
        }
        int mid = (lo + hi) >>> 1;
        Label upper = c.newLabel();
        c.iload(ID_LOCAL).loadConstant(ids[mid]).if_icmpgt(upper);
        search(c, ids, lo, mid, miss);
        c.labelBinding(upper);
        search(c, ids, mid + 1, hi, miss);
    }

    // enter's arguments: (cx, st, r1..r5, depth) from dispatch's locals
    private static void enterArgs(CodeBuilder c) {
        c.aload(1).aload(2);
        for (int i = 0; i < 5; i++) {
            c.lload(3 + 2 * i);
        }
        c.iload(13);
    }
}
