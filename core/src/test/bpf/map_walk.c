// bpf_for_each_map_elem() over a hash of per-flow byte counts and over an array: the callback sums
// values, counts visits and stops the walk early when it meets a marker value. The flow key is
// taken from the frame, so successive runs (--repeat) grow the table the walk sees.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} weights SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 6);
	__type(key, __u32);
	__type(value, __u64);
} walk_out SEC(".maps");

struct walk_ctx {
	__u64 sum;
	__u64 visits;
	__u64 stop_at;
};

static long sum_cb(void *map, __u32 *key, __u64 *val, struct walk_ctx *w)
{
	w->visits++;
	if (*val == w->stop_at)
		return 1;
	w->sum += *val * (*key + 1);
	return 0;
}

static __always_inline void out(__u32 k, __u64 v)
{
	bpf_map_update_elem(&walk_out, &k, &v, BPF_ANY);
}

SEC("xdp")
int xdp_map_walk(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 16) > data_end)
		return XDP_DROP;
	__u32 flow = p[14] & 15;
	__u64 len = bpf_xdp_get_buff_len(ctx);
	__u64 *bytes = bpf_map_lookup_elem(&flows, &flow);
	if (bytes)
		*bytes += len;
	else
		bpf_map_update_elem(&flows, &flow, &len, BPF_NOEXIST);
	// one new flow per run as well, so --repeat makes the walk longer
	__u32 next = (flow + 1 + (len & 7)) & 15;
	__u64 one = 1;
	bpf_map_update_elem(&flows, &next, &one, BPF_NOEXIST);

	struct walk_ctx w = { .stop_at = p[15] };
	long n = bpf_for_each_map_elem(&weights, sum_cb, &w, 0);
	out(0, n);
	out(1, w.sum);
	out(2, w.visits);
	struct walk_ctx h = { .stop_at = 0xffffffff };
	n = bpf_for_each_map_elem(&flows, sum_cb, &h, 0);
	out(3, n);
	out(4, h.sum);
	out(5, h.visits);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
