// build: -mcpu=v4
// Verifier rejection: the packet pointers in struct xdp_md can only be loaded as they are; a
// sign-extending load (BPF_MEMSX) of ctx->data is "invalid bpf_context access off=0 size=4". jxdp once
// loaded it as a number.
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_ldsx_ctx(void)
{
	asm volatile(
	"r2 = *(s32 *)(r1 + 0);"
	"r0 = 2;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
