// Verifier rejection: a tail call inside a bpf_loop() callback. Kernel 6.18 takes a tail call in a
// function for an exit to its caller, here the helper, and its precision tracking then meets the
// callback's unknown R0 at bpf_loop() ("verifier bug: callback unexpected regs 1"): the load fails.
// jxdp once accepted it.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jumps SEC(".maps");

struct loop_ctx {
	struct xdp_md *xdp;
};

static int step(__u32 index, struct loop_ctx *c)
{
	bpf_tail_call(c->xdp, &jumps, 0);
	return 0;
}

SEC("xdp")
int xdp_tail_call_callback(struct xdp_md *ctx)
{
	struct loop_ctx c = { ctx };

	bpf_loop(2, step, &c, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
