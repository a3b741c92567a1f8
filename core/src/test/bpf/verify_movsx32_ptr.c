// build: -mcpu=v4
// Verifier rejection: the 32-bit sign-extending move of a packet pointer is an unknown 32-bit number; the
// difference of two of them, used as a packet offset, is not the zero it looks like.
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_movsx32_ptr(void)
{
	asm volatile(
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"w4 = (s16)w2;"
	"w5 = (s16)w3;"
	"r4 -= r5;"
	"r6 = r2;"
	"r6 += 14;"
	"if r6 > r3 goto l_out;"
	"r2 += r4;"
	"r0 = *(u8 *)(r2 + 0);"
	"exit;"
	"l_out:"
	"r0 = 2;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
