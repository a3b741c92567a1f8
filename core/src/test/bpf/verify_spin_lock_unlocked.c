// Verifier rejection: on one path unlocks a bpf_spin_lock it never took.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct counted {
	__u64 cnt;
	struct bpf_spin_lock lock;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct counted);
} locked SEC(".maps");

SEC("xdp")
int unlock_unlocked(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct counted *c = bpf_map_lookup_elem(&locked, &k);

	if (!c)
		return XDP_ABORTED;
	if (ctx->data_end - ctx->data > 60)
		bpf_spin_lock(&c->lock);
	c->cnt++;
	bpf_spin_unlock(&c->lock);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
