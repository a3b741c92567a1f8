/**
 * The JIT: eBPF programs compiled to JVM bytecode ({@code java.lang.classfile}) and loaded as hidden
 * classes, agreeing with the reference interpreter ({@code dev.jxdp.ebpf.interp.Interpreter}) on r0, memory
 * and fault messages.
 *
 * <p>Known differences from the interpreter, all on programs the kernel's verifier would refuse:
 * <ul>
 * <li>The 1,000,000 bound. The interpreter counts executed instructions; the JIT counts loop back-edges
 *     (a jump to an instruction at or before itself) and calls (bpf-to-bpf, callx, bpf_loop and
 *     for_each callbacks), and faults on the 1,000,001st with "more than 1000000 instructions in one run
 *     (the JIT counts loop back-edges and calls)". Straight-line code is never counted, so a run the
 *     interpreter stops may run further in the JIT: at most 1,000,000 loop iterations or calls, each as long
 *     as the program's code. A program without loops or calls never hits the bound in the JIT. Code compiled
 *     with the verifier's proof counts nothing, as the kernel, which has no run-time bound for a verified
 *     program: the verifier bounded its loops and calls (a {@code may_goto} loop ends on its own budget,
 *     {@code bpf_loop} at 1<<23 iterations); callbacks into such code are not counted either
 *     ({@link dev.jxdp.ebpf.jit.JitCode#bounded()}).</li>
 * <li>Registers a function did not get. Each eBPF function is a JVM method with its own locals: a callee
 *     starts with r0 and r6-r9 at 0 (the interpreter shows it the caller's), and r1-r5 changed by a callee
 *     are not seen by the caller after the call (the kernel treats them as clobbered; the verifier refuses
 *     reading them). A tail call passes r1-r5; the target starts with r0, r6-r9 at 0.</li>
 * <li>callx of bpf_tail_call faults; a callback address that is not the start of a function (an entry
 *     point, a call target or a PSEUDO_FUNC lddw target) faults.</li>
 * </ul>
 *
 * <p>Large functions. HotSpot never compiles a method over 8000 bytes of bytecode (DontCompileHugeMethods)
 * and a class file caps a method at 64 KiB. A function whose method would exceed 7000 bytes is split:
 * its reachable instructions, in address order, are cut into regions of about 5000 estimated bytes, each
 * a static method {@code fN_rK}; {@code fN} becomes a dispatcher that keeps the registers in the run's
 * {@link dev.jxdp.ebpf.jit.JitProgram} (16 longs per call depth) and calls the region holding the next
 * instruction until one exits. A jump or fall-through into another region costs a return to the
 * dispatcher; inside a region registers stay JVM locals. Small functions are untouched (one method, no
 * array). If a method still comes out over 8000 bytes the budget is halved and the class rebuilt.
 *
 * <p>Map calls. With the verifier's proof, a map helper on a map known at that call is a direct call of
 * that map class's code; {@code bpf_map_lookup_elem} on an ARRAY or PERCPU_ARRAY map is no call at all
 * but computed inline, as the kernel's {@code array_map_gen_lookup()} rewrites it: the u32 key, a bound
 * check against max_entries, the values' base plus index times the per-index stride (plus the worker's
 * CPU times the value stride for a per-CPU array), else 0. The layout is read from the
 * {@link dev.jxdp.ebpf.jit.JitProgram} ({@code ArrayMap.lookupLayout()}), not embedded, because
 * collections loaded from one object share the compiled code but not their maps.
 *
 * <p>bpf_loop. A call the verifier found fit to inline (one callback, flags 0 on every path: the kernel's
 * {@code inline_bpf_loop()}) is a JVM loop over the callback's static method, with the inlined form's
 * edges (64-bit nr_loops, 32-bit -E2BIG); any other call goes through the helper. A
 * bpf_for_each_map_elem over an ARRAY or PERCPU_ARRAY map with a known callback is a JVM loop over the
 * indices in bpf_for_each_array_elem()'s meaning (flags checked at run time, the key in the map's per-CPU
 * key word); other maps walk themselves and call back through the runner.
 *
 * <p>A tail call whose index the verifier proved constant, into a program array it knows, is direct (the
 * kernel's poke descriptors): an invokedynamic whose call site the array tracks hands back the slot's
 * compiled code as a constant, so HotSpot can inline the called program; a change of the slot unlinks the
 * site and its next call links it again ({@link dev.jxdp.ebpf.jit.DirectTailCall}). Other tail calls find
 * the target's compiled code in an 8-way cache in the {@link dev.jxdp.ebpf.jit.JitProgram} by program id,
 * so a chain whose stages alternate finds each without a map lookup.
 *
 * <p>Warm-up ({@code test-run --engine jit --repeat N}, N > 1; {@code ProgTestRun}). A program that can
 * write no map warms the very runner, ExecState and buffer the timed runs use (the frame loaded again
 * after), so their first run takes no branch the warm-up took only once; one that can write maps warms
 * the same compiled code (collections of one object share it) on another collection from the same object
 * and --map-init, three passes on fresh maps before a long run, so the paths a fresh map's first runs
 * take (an empty bucket, the first insert) are compiled in. From 10,000 timed runs on, the warm-up also
 * waits until HotSpot's compilers have been idle for 50 ms: C2 compiles the timed loop whole, with the
 * program inlined, before the clock starts.
 */
package dev.jxdp.ebpf.jit;
