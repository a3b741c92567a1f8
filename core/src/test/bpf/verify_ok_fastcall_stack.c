// A function that saves r1 around bpf_get_smp_processor_id() on the stack (a bpf_fastcall pattern) uses
// no stack for it once the kernel inlines the helper and drops the pair: with the caller at 512 bytes the
// chain is still 512 (check_max_stack_depth() after remove_fastcall_spills_fills()). The kernel accepts.
#include "oracle_net.h"

static __attribute__((noinline, naked, used)) int cpu_plus(void)
{
	asm volatile(
	"*(u64 *)(r10 - 8) = r1;"
	"call %[cpu];"
	"r1 = *(u64 *)(r10 - 8);"
	"r0 += r1;"
	"exit;"
	:: [cpu]"i"(BPF_FUNC_get_smp_processor_id) : "memory");
}

SEC("xdp")
__attribute__((naked)) int xdp_ok_fastcall_stack(void)
{
	asm volatile(
	"r1 = 2;"
	"*(u64 *)(r10 - 512) = r1;"
	"call cpu_plus;"
	"r0 &= 3;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
