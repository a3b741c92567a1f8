// bpf_spin_lock: a counter pair in an array value and one in a hash value, each updated under the lock
// its value holds (one read-modify-write of two fields, so a lost update shows as cnt * 3 != sum).
// The lock sits after the first field, as BTF places it: the loader finds it there. flagged_update
// stores the return codes of updates with BPF_F_LOCK in res.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct counted {
	__u64 cnt;
	struct bpf_spin_lock lock;
	__u32 last_len;
	__u64 sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counted);
} locked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct counted);
} hlocked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

static __always_inline void count(struct counted *c, __u32 len)
{
	bpf_spin_lock(&c->lock);
	c->cnt++;
	c->sum += 3;
	c->last_len = len;
	bpf_spin_unlock(&c->lock);
}

SEC("xdp")
int spin_count(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u32 k = 0;
	struct counted *c = bpf_map_lookup_elem(&locked, &k);

	if (!c)
		return XDP_ABORTED;
	count(c, len);
	k = len & 3;
	c = bpf_map_lookup_elem(&hlocked, &k);
	if (!c) {
		struct counted init = {};

		bpf_map_update_elem(&hlocked, &k, &init, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&hlocked, &k);
		if (!c)
			return XDP_ABORTED;
	}
	count(c, len);
	return XDP_PASS;
}

SEC("xdp")
int flagged_update(struct xdp_md *ctx)
{
	struct counted v = { .cnt = 100, .last_len = 7, .sum = 300 };
	__u32 k = 0, k2 = 2, i;
	__s64 r;

	r = bpf_map_update_elem(&locked, &k, &v, BPF_F_LOCK);
	i = 0;
	bpf_map_update_elem(&res, &i, &r, 0);
	r = bpf_map_update_elem(&hlocked, &k2, &v, BPF_F_LOCK | BPF_EXIST);
	i = 1;
	bpf_map_update_elem(&res, &i, &r, 0);
	r = bpf_map_update_elem(&hlocked, &k2, &v, BPF_F_LOCK);
	i = 2;
	bpf_map_update_elem(&res, &i, &r, 0);
	v.cnt = 200;
	r = bpf_map_update_elem(&hlocked, &k2, &v, BPF_F_LOCK | BPF_EXIST);
	i = 3;
	bpf_map_update_elem(&res, &i, &r, 0);
	r = bpf_map_update_elem(&res, &i, &r, BPF_F_LOCK);
	i = 4;
	bpf_map_update_elem(&res, &i, &r, 0);
	r = bpf_map_update_elem(&locked, &k, &v, BPF_F_LOCK | BPF_NOEXIST);
	i = 5;
	bpf_map_update_elem(&res, &i, &r, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
