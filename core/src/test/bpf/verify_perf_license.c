// Verifier rejection: bpf_perf_event_output() is gpl_only (bpf_xdp_event_output_proto): a program whose
// license is not GPL-compatible may not call it.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 2);
} events SEC(".maps");

SEC("xdp")
int xdp_perf_proprietary(struct xdp_md *ctx)
{
	__u32 cookie = 0xdead;

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &cookie, sizeof(cookie));
	return XDP_PASS;
}

char _license[] SEC("license") = "Proprietary";
