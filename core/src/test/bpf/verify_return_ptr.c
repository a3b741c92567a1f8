// Verifier rejection: returns a pointer (the context) as the XDP action.
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_return_ptr(void)
{
	asm volatile(
	"r0 = r1;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
