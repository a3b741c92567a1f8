// Verifier rejection: a jump past the end of the program (check_cfg()).
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_jump_range(void)
{
	asm volatile(
	"r0 = 2;"
	"if r1 == 0 goto +100;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
