// Verifier rejection: passes the value's counter, not its lock, to bpf_spin_lock.
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
int lock_offset(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct counted *c = bpf_map_lookup_elem(&locked, &k);

	if (!c)
		return XDP_ABORTED;
	bpf_spin_lock((struct bpf_spin_lock *)&c->cnt);
	bpf_spin_unlock((struct bpf_spin_lock *)&c->cnt);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
