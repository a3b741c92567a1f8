// Verifier rejection: a loop that never changes its state (is_state_visited(): "infinite loop detected").
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_infinite_loop(void)
{
	asm volatile(
	"r0 = 2;"
	"r1 = *(u32 *)(r1 + 16);"
	"if r1 == 0 goto +1;"
	"goto -1;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
