// jxdp bench's built-in programs that send the frame elsewhere, as xdp-bench's redirect,
// redirect-map and redirect-cpu: bpf_redirect() to an ifindex, bpf_redirect_map() into a DEVMAP and
// into a CPUMAP. The ifindex and the CPU are constants the loader writes into .rodata before loading
// (libbpf's skeleton way), so the JIT folds them.
#include "bench.h"

const volatile __u32 ifindex_out = 0;
const volatile __u32 cpu_dest = 0;

// slot 0: the device redirect-map sends to (an ifindex, set by the loader)
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} tx_port SEC(".maps");

// one slot per CPU: qsize and an optional program, as cpumap's struct bpf_cpumap_val
struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpu_map SEC(".maps");

SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
	if (read_eth(ctx) < 0)
		return XDP_ABORTED;
	swap_macs((void *)(long)ctx->data);
	return bpf_redirect(ifindex_out, 0);
}

SEC("xdp")
int xdp_redirect_map(struct xdp_md *ctx)
{
	if (read_eth(ctx) < 0)
		return XDP_ABORTED;
	swap_macs((void *)(long)ctx->data);
	return bpf_redirect_map(&tx_port, 0, 0);
}

SEC("xdp")
int xdp_redirect_cpu(struct xdp_md *ctx)
{
	if (read_eth(ctx) < 0)
		return XDP_ABORTED;
	return bpf_redirect_map(&cpu_map, cpu_dest, 0);
}

char _license[] SEC("license") = "GPL";
