// Verifier rejection: writes below the 512-byte stack (fp-520).
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_stack_below(void)
{
	asm volatile(
	"r1 = 0;"
	"*(u64 *)(r10 - 520) = r1;"
	"r0 = 2;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
