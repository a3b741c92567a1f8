// bpf_spin_lock on locks the loader finds where btf_parse_fields() does: inside a struct nested in the
// value (offset 12: 8 bytes of x, 4 of in.a), inside the one struct of an array of one (offset 12), and
// as an array of one lock (offset 8).
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct inner {
	__u32 a;
	struct bpf_spin_lock l;
};

struct outer {
	__u64 x;
	struct inner in;
};

struct outer_array {
	__u64 x;
	struct inner in[1];
};

struct lock_array {
	__u64 x;
	struct bpf_spin_lock l[1];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct outer);
} nest SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct outer_array);
} nest_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lock_array);
} lock_array SEC(".maps");

SEC("xdp")
int nested_lock(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct outer *v = bpf_map_lookup_elem(&nest, &k);
	struct outer_array *w;
	struct lock_array *u;

	if (!v)
		return XDP_ABORTED;
	bpf_spin_lock(&v->in.l);
	v->x++;
	v->in.a = 7;
	bpf_spin_unlock(&v->in.l);
	w = bpf_map_lookup_elem(&nest_array, &k);
	if (!w)
		return XDP_ABORTED;
	bpf_spin_lock(&w->in[0].l);
	w->x++;
	bpf_spin_unlock(&w->in[0].l);
	u = bpf_map_lookup_elem(&lock_array, &k);
	if (!u)
		return XDP_PASS;
	bpf_spin_lock(&u->l[0]);
	u->x++;
	bpf_spin_unlock(&u->l[0]);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
