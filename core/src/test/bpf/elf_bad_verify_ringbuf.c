// Verifier rejection: reserves a ring buffer record and never submits or discards it.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int xdp_leak_record(struct xdp_md *ctx)
{
	__u32 *rec = bpf_ringbuf_reserve(&events, sizeof(*rec), 0);
	if (!rec)
		return XDP_PASS;
	*rec = ctx->rx_queue_index;
	return XDP_DROP;
}

char _license[] SEC("license") = "GPL";
