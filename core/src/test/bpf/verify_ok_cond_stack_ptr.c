// A number compared with the frame pointer in a function, then decided on its own: precision tracking
// follows the number back, not the frame pointer (the jump history marks the stack pointer operand), and
// reaches the call without a stray register. The kernel accepts; jxdp once stopped with a verifier bug.
#include "oracle_net.h"

static __attribute__((noinline, naked, used)) int compare(void)
{
	asm volatile(
	"r2 = 0x7000000000000001 ll;"
	"if r2 <= r10 goto 1f;"
	"r0 = 1;"
	"1: if r2 > 16 goto 2f;"
	"r0 = 2;"
	"2: r0 = 3;"
	"exit;"
	::: "memory");
}

SEC("xdp")
__attribute__((naked)) int xdp_ok_cond_stack_ptr(void)
{
	asm volatile(
	"call compare;"
	"r0 &= 3;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
