// Verifier rejection: a per-CPU array may not hold a bpf_spin_lock (map_check_btf()): the kernel refuses
// to create it with BTF, libbpf creates it again without, and the lock then has no BTF to be found in.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct counted {
	__u64 cnt;
	struct bpf_spin_lock lock;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counted);
} percpu_locked SEC(".maps");

SEC("xdp")
int percpu_lock(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct counted *c = bpf_map_lookup_elem(&percpu_locked, &k);

	if (!c)
		return XDP_ABORTED;
	bpf_spin_lock(&c->lock);
	c->cnt++;
	bpf_spin_unlock(&c->lock);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
