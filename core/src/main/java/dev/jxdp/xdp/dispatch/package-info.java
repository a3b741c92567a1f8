/**
 * The BPF dispatcher and xdp_call (kernel/bpf/dispatcher.c, xdp_call.h): compiled programs entered by
 * calls the JVM can inline instead of one megamorphic virtual call, the set of programs swapped live
 * through a {@link java.lang.invoke.MutableCallSite}. See docs/dispatcher.md.
 */
package dev.jxdp.xdp.dispatch;
