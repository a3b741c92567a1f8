// Verifier rejection: a function stores a pointer to its own stack into its caller's frame, which would
// dangle once it returns ("cannot spill pointers to stack into stack frame of the caller"). jxdp once
// failed here with an internal error instead.
#include "oracle_net.h"

static __attribute__((noinline, naked)) int keep_local(__u64 *out)
{
	asm volatile(
	"r2 = r10;"
	"r2 += -8;"
	"r3 = 0;"
	"*(u64 *)(r10 - 8) = r3;"
	"*(u64 *)(r1 + 0) = r2;"
	"r0 = 0;"
	"exit;"
	::: "memory");
}

SEC("xdp")
int xdp_spill_callee_fp(struct xdp_md *ctx)
{
	volatile __u64 slot = 0;

	keep_local((__u64 *)&slot);
	return slot == 7 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
