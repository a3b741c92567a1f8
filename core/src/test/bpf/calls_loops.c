// bpf-to-bpf calls and bounded loops: a static noinline checksum over the first bytes (a `for`
// loop with a constant bound), a global function (verified on its own, called with ctx), and
// bpf_loop() with a callback that walks the frame through xdp_load_bytes. Results land in
// loop_out so each path is compared, not only the verdict.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} loop_out SEC(".maps");

static __always_inline void out(__u32 k, __u64 v)
{
	bpf_map_update_elem(&loop_out, &k, &v, BPF_ANY);
}

// Sums the first 64 bytes (fewer if the frame is shorter) as 16-bit big-endian words.
static __noinline __u64 sum_head(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u64 sum = 0;

	for (int i = 0; i < 64; i += 2) {
		if ((void *)(p + i + 2) > data_end)
			break;
		sum += (p[i] << 8) | p[i + 1];
	}
	return sum;
}

static __noinline __u64 mix(__u64 a, __u64 b, __u64 c)
{
	return (a * 31 + b) ^ (c << 3);
}

__noinline int count_ones(struct xdp_md *ctx)
{
	if (!ctx)
		return -1;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	int ones = 0;

	if ((void *)(p + 14) > data_end)
		return -2;
	for (int i = 0; i < 14; i++)
		ones += __builtin_popcount(p[i]);
	return ones;
}

struct walk {
	struct xdp_md *ctx;
	__u32 off;
	__u32 len;
	__u64 xsum;
	__u32 zeros;
};

static long walk_step(__u64 index, void *arg)
{
	struct walk *w = arg;
	__u8 b[4];

	if (w->off + 4 > w->len)
		return 1;
	if (bpf_xdp_load_bytes(w->ctx, w->off, b, 4))
		return 1;
	w->xsum = (w->xsum << 1) + (b[0] ^ b[1] ^ b[2] ^ b[3]) + index;
	if (!b[0] && !b[1] && !b[2] && !b[3])
		w->zeros++;
	w->off += 4;
	return 0;
}

SEC("xdp")
int xdp_calls(struct xdp_md *ctx)
{
	__u64 s = sum_head(ctx);
	int ones = count_ones(ctx);
	struct walk w = { .ctx = ctx, .off = 0, .len = bpf_xdp_get_buff_len(ctx) };
	long iters = bpf_loop(1024, walk_step, &w, 0);

	out(0, s);
	out(1, (__u64)(__s64)ones);
	out(2, (__u64)iters);
	out(3, w.xsum);
	out(4, w.zeros);
	out(5, mix(s, ones, w.xsum));
	if (ones < 0)
		return XDP_DROP;
	return (w.zeros & 1) ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
