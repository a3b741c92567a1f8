// Verifier rejection: a struct with two bpf_spin_locks. The kernel refuses the object's whole BTF for it
// (btf_parse_struct_metas(): E2BIG), libbpf loads the object without BTF, and no map has a lock to find.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct two {
	struct bpf_spin_lock l1;
	struct bpf_spin_lock l2;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct two);
} two_locks SEC(".maps");

SEC("xdp")
int lock_two(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct two *v = bpf_map_lookup_elem(&two_locks, &k);

	if (!v)
		return XDP_ABORTED;
	bpf_spin_lock(&v->l1);
	bpf_spin_unlock(&v->l1);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
