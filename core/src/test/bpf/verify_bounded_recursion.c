// Verifier rejection: a function that calls itself, even a bounded number of times the paths prove,
// makes an unbounded chain of calls for the kernel's stack depth walk (check_max_stack_depth()):
// "the call stack of 8 frames is too deep !".
#include "oracle_net.h"

static __attribute__((noinline, naked, used)) int again(void)
{
	asm volatile(
	"r1 += 1;"
	"r0 = r1;"
	"if r1 < 3 goto 1f;"
	"exit;"
	"1: call again;"
	"exit;"
	::: "memory");
}

SEC("xdp")
__attribute__((naked)) int xdp_bounded_recursion(void)
{
	asm volatile(
	"r1 = 0;"
	"call again;"
	"r0 = 2;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
