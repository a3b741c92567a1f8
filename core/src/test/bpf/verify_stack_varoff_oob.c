// Verifier rejection: a variable stack offset that may reach past the frame pointer (fp-4 + [0, 7]).
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_stack_varoff_oob(void)
{
	asm volatile(
	"r2 = *(u32 *)(r1 + 16);"
	"r2 &= 7;"
	"r3 = r10;"
	"r3 += -4;"
	"r3 += r2;"
	"r4 = 1;"
	"*(u8 *)(r3 + 0) = r4;"
	"r0 = 2;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
