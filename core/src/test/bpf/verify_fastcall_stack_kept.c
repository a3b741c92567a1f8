// Verifier rejection: the same bpf_fastcall pattern, but the function also reads the spill slot outside
// it, so the kernel keeps the pair and its 8 bytes of stack: with the caller at 512 bytes the chain is
// 528 ("combined stack size of 2 calls is 528. Too large").
#include "oracle_net.h"

static __attribute__((noinline, naked, used)) int cpu_plus(void)
{
	asm volatile(
	"*(u64 *)(r10 - 8) = r1;"
	"call %[cpu];"
	"r1 = *(u64 *)(r10 - 8);"
	"r2 = *(u64 *)(r10 - 8);"
	"r0 += r2;"
	"exit;"
	:: [cpu]"i"(BPF_FUNC_get_smp_processor_id) : "memory");
}

SEC("xdp")
__attribute__((naked)) int xdp_fastcall_stack_kept(void)
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
