// Verifier rejection: each function may use 512 bytes of stack, but a chain of calls may not use more
// than 512 all together (check_max_stack_depth()): 400 bytes here and 200 in the function it calls is
// "combined stack size of 2 calls is 608. Too large". jxdp, which gives every frame its own 512
// bytes, once accepted it.
#include "oracle_net.h"

static __attribute__((noinline, naked, used)) int fill(void)
{
	asm volatile(
	"r1 = 7;"
	"*(u64 *)(r10 - 200) = r1;"
	"r0 = *(u64 *)(r10 - 200);"
	"exit;"
	::: "memory");
}

SEC("xdp")
__attribute__((naked)) int xdp_combined_stack(void)
{
	asm volatile(
	"r1 = 1;"
	"*(u64 *)(r10 - 400) = r1;"
	"call fill;"
	"r1 = *(u64 *)(r10 - 400);"
	"r0 += r1;"
	"r0 &= 3;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
