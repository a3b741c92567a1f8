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
 *     as the program's code. A program without loops or calls never hits the bound in the JIT.</li>
 * <li>Registers a function did not get. Each eBPF function is a JVM method with its own locals: a callee
 *     starts with r0 and r6-r9 at 0 (the interpreter shows it the caller's), and r1-r5 changed by a callee
 *     are not seen by the caller after the call (the kernel treats them as clobbered; the verifier refuses
 *     reading them). A tail call passes r1-r5; the target starts with r0, r6-r9 at 0.</li>
 * <li>callx of bpf_tail_call faults; a callback address that is not the start of a function (an entry
 *     point, a call target or a PSEUDO_FUNC lddw target) faults.</li>
 * <li>Programs whose one function exceeds the class file's 64 KiB of bytecode (about 13,000
 *     instructions) are refused at compile time: "program NAME too large for the JIT yet: N instructions".</li>
 * </ul>
 */
package dev.jxdp.ebpf.jit;
