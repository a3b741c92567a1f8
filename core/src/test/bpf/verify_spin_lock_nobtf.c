// Verifier rejection: bpf_spin_lock on a map declared by sizes only, with no BTF type for its value.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, 4);
	__uint(value_size, 8);
} sized SEC(".maps");

SEC("xdp")
int lock_nobtf(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&sized, &k);

	if (!v)
		return XDP_ABORTED;
	bpf_spin_lock((struct bpf_spin_lock *)v);
	bpf_spin_unlock((struct bpf_spin_lock *)v);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
