// bpf_for_each_map_elem over an ARRAY and a PERCPU_ARRAY, which the verified JIT runs as a loop of its
// own: the callback sees each index's key and value in order (it records them and rewrites the value),
// stops at the index the frame names, and the flags come from the frame, unknown to the verifier, so a
// non-zero one must still give -EINVAL. Results land in each_out.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 6);
	__type(key, __u32);
	__type(value, __u64);
} each_arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} each_pcpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} each_out SEC(".maps");

struct walk {
	__u64 stop_at;
	__u64 keys;     // the keys seen, 4 bits each, in order
	__u64 sum;
	__u64 calls;
};

static long visit(void *map, __u32 *key, __u64 *value, struct walk *w)
{
	w->keys = (w->keys << 4) | (*key & 0xf);
	w->sum += *value;
	*value = *value * 3 + *key + 1;
	w->calls++;
	return *key == w->stop_at;
}

static __always_inline void put(__u32 k, __u64 v)
{
	bpf_map_update_elem(&each_out, &k, &v, BPF_ANY);
}

// the frame after the Ethernet header: u64 stop_at, u64 flags
SEC("xdp")
int xdp_each_array(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 *a = data + 14;
	struct walk w = {};
	struct walk p = {};
	__u64 flags;

	if ((void *)(a + 2) > data_end)
		return XDP_DROP;
	w.stop_at = a[0];
	p.stop_at = a[0];
	flags = a[1];
	put(0, bpf_for_each_map_elem(&each_arr, visit, &w, flags));
	put(1, w.keys);
	put(2, w.sum);
	put(3, w.calls);
	put(4, bpf_for_each_map_elem(&each_pcpu, visit, &p, 0));
	put(5, p.keys);
	put(6, p.sum);
	put(7, p.calls);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
