// A CPUMAP whose entries carry a second program, run by the target CPU's consumer (SEC("xdp/cpumap"):
// expected_attach_type BPF_XDP_CPUMAP). The main program redirects to the CPU in byte 15. The cpumap
// program counts its runs per CPU, records the xdp_md fields it sees, and acts on byte 14:
// 0 PASS (marking byte 0), 1 DROP, 2 ABORTED, 3 REDIRECT, 4 TX, 5 an unknown action, 6 PASS after
// bpf_xdp_adjust_head(4).
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} stage_runs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} stage_seen SEC(".maps");

SEC("xdp")
int xdp_to_cpu(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 16) > data_end)
		return XDP_PASS;
	return bpf_redirect_map(&cpus, p[15], 0);
}

static __always_inline void seen(__u32 k, __u64 v)
{
	bpf_map_update_elem(&stage_seen, &k, &v, BPF_ANY);
}

SEC("xdp/cpumap")
int xdp_cpu_stage(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 zero = 0;
	__u64 *runs = bpf_map_lookup_elem(&stage_runs, &zero);

	if (runs)
		*runs += 1;
	seen(0, ctx->ingress_ifindex);
	seen(1, ctx->rx_queue_index);
	if ((void *)(p + 16) > data_end)
		return XDP_PASS;
	switch (p[14]) {
	case 0:
		p[0] = 0xcc;
		return XDP_PASS;
	case 1:
		return XDP_DROP;
	case 2:
		return XDP_ABORTED;
	case 3:
		return bpf_redirect(1, 0);
	case 4:
		return XDP_TX;
	case 5:
		return 7;
	default:
		if (bpf_xdp_adjust_head(ctx, 4))
			return XDP_DROP;
		return XDP_PASS;
	}
}

char _license[] SEC("license") = "GPL";
