// bpf_loop's edges, where the kernel's inlined loop (inline_bpf_loop(): a known callback and flags
// known to be 0) and its helper (bpf_loop(), every other call) differ: the inline form compares the
// whole 64-bit nr_loops with BPF_MAX_LOOPS and sets a 32-bit -E2BIG, the helper takes nr_loops as u32
// and returns a 64-bit -errno. The counts and flags come from the frame, unknown to the verifier; the
// flags of xdp_loop_flags come from a register the verifier cannot prove 0, so the kernel calls the
// helper there. Each program stores bpf_loop's result and what the callback saw in loop_res.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} loop_res SEC(".maps");

struct cb_state {
	__u64 stop_at;   // the callback returns 1 at this index
	__u64 calls;
	__u64 last;
};

static long count_step(__u32 index, void *arg)
{
	struct cb_state *s = arg;

	s->calls++;
	s->last = index;
	return index == s->stop_at;
}

static __always_inline void put(__u32 k, __u64 v)
{
	bpf_map_update_elem(&loop_res, &k, &v, BPF_ANY);
}

// the frame after the Ethernet header: u64 nr_loops, u64 stop_at, u64 flags
static __always_inline int args(struct xdp_md *ctx, __u64 *n, __u64 *stop, __u64 *flags)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 *a = data + 14;

	if ((void *)(a + 3) > data_end)
		return -1;
	*n = a[0];
	*stop = a[1];
	*flags = a[2];
	return 0;
}

SEC("xdp")
int xdp_loop_known(struct xdp_md *ctx)
{
	struct cb_state s = {};
	__u64 n, flags;

	if (args(ctx, &n, &s.stop_at, &flags))
		return XDP_DROP;
	put(0, bpf_loop(n, count_step, &s, 0));
	put(1, s.calls);
	put(2, s.last);
	return XDP_PASS;
}

SEC("xdp")
int xdp_loop_flags(struct xdp_md *ctx)
{
	struct cb_state s = {};
	__u64 n, flags;

	if (args(ctx, &n, &s.stop_at, &flags))
		return XDP_DROP;
	put(0, bpf_loop(n, count_step, &s, flags));
	put(1, s.calls);
	put(2, s.last);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
