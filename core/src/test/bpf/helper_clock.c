// The clocks and the NUMA node: res[i] holds jiffies64, ktime_get_coarse_ns, ktime_get_ns,
// ktime_get_boot_ns, ktime_get_tai_ns, get_numa_node_id, read in that order. Not deterministic: the
// tests compare them with the kernel's by their relations and ranges, not their values.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} res SEC(".maps");

static __always_inline void put(__u32 i, __u64 v)
{
	bpf_map_update_elem(&res, &i, &v, 0);
}

SEC("xdp")
int clocks(struct xdp_md *ctx)
{
	__u64 j = bpf_jiffies64();
	__u64 coarse = bpf_ktime_get_coarse_ns();
	__u64 mono = bpf_ktime_get_ns();
	__u64 boot = bpf_ktime_get_boot_ns();
	__u64 tai = bpf_ktime_get_tai_ns();

	put(0, j);
	put(1, coarse);
	put(2, mono);
	put(3, boot);
	put(4, tai);
	put(5, bpf_get_numa_node_id());
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
