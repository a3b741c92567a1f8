// Verifier rejection: a loop whose bound is an unknown 64-bit number; the verifier walks it until
// its limit of 1,000,000 processed instructions.
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_unbounded_loop(void)
{
	asm volatile(
	"r0 = 2;"
	"r2 = *(u32 *)(r1 + 16);"
	"r3 = *(u32 *)(r1 + 12);"
	"r2 <<= 32;"
	"r2 |= r3;"
	"r2 += -1;"
	"if r2 != 0 goto -2;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
