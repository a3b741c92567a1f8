// Verifier rejection: a loop over packet bytes whose every iteration leaves an exit branch to explore
// later, and never ends on the path followed first: after 8192 pending branches the kernel gives up with
// "The sequence of 8193 jumps is too complex." (BPF_COMPLEXITY_LIMIT_JMP_SEQ). The verdict is the
// kernel's bound, never a clock.
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_jump_sequence(void)
{
	asm volatile(
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = 0;"
	"l_loop:"
	"r5 = r2;"
	"r5 += 1;"
	"if r5 > r3 goto l_out;"
	"r0 = *(u8 *)(r2 + 0);"
	"r2 += 1;"
	"r4 += 1;"
	"goto l_loop;"
	"l_out:"
	"r0 = r4;"
	"r0 &= 3;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
