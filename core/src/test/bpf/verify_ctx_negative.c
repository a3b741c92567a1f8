// Verifier rejection: reads the context at a negative offset.
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_ctx_negative(void)
{
	asm volatile(
	"r0 = *(u32 *)(r1 - 4);"
	"r0 &= 3;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
