// Verifier rejection: bpf_spin_lock on a value whose BTF type has no struct bpf_spin_lock.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} plain SEC(".maps");

SEC("xdp")
int lock_nolock(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&plain, &k);

	if (!v)
		return XDP_ABORTED;
	bpf_spin_lock((struct bpf_spin_lock *)v);
	bpf_spin_unlock((struct bpf_spin_lock *)v);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
