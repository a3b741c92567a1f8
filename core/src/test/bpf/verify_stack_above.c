// Verifier rejection: reads at the frame pointer itself, above the stack (fp+0).
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_stack_above(void)
{
	asm volatile(
	"r0 = *(u32 *)(r10 + 0);"
	"r0 &= 3;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
