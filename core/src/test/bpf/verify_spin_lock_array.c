// Verifier rejection: the lock sits in an array of two structs in the value. btf_parse_fields() looks
// into an array of one only, so the map has BTF but no lock.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct inner {
	__u32 a;
	struct bpf_spin_lock l;
};

struct in_array {
	__u64 x;
	struct inner in[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct in_array);
} arr_lock SEC(".maps");

SEC("xdp")
int lock_array(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct in_array *v = bpf_map_lookup_elem(&arr_lock, &k);

	if (!v)
		return XDP_ABORTED;
	bpf_spin_lock(&v->in[0].l);
	bpf_spin_unlock(&v->in[0].l);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
