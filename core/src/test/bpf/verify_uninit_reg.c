// Verifier rejection: reads r5, which nothing wrote (check_reg_arg(): "R5 !read_ok").
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_uninit_reg(void)
{
	asm volatile(
	"r0 = r5;"
	"r0 &= 3;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
