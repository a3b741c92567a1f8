// build: -mcpu=v4
// Verifier rejection: sign-extending moves of pointers are unknown numbers, not constants. Two movsx of
// the frame pointer subtracted are not a known zero; adding the difference to a stack pointer is
// arithmetic with an unbounded number (jxdp once took each movsx for the constant its offset gives, so
// the difference was "0" and a load through fp+diff read wherever the attacker pointed).
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_movsx_ptr(void)
{
	asm volatile(
	"r2 = (s32)r10;"
	"r3 = (s32)r10;"
	"r2 -= r3;"
	"r4 = r10;"
	"r4 += r2;"
	"r0 = *(u64 *)(r4 - 8);"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
