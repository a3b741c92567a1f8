// Verifier rejection: takes the lock of one value and releases the lock of another.
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
int unlock_other(struct xdp_md *ctx)
{
	__u32 k0 = 0, k1 = 1;
	struct counted *a = bpf_map_lookup_elem(&locked, &k0);
	struct counted *b = bpf_map_lookup_elem(&locked, &k1);

	if (!a || !b)
		return XDP_ABORTED;
	bpf_spin_lock(&a->lock);
	a->cnt++;
	bpf_spin_unlock(&b->lock);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
