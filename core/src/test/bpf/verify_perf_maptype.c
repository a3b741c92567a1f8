// Verifier rejection: bpf_perf_event_output() takes a BPF_MAP_TYPE_PERF_EVENT_ARRAY only; an ARRAY is
// "cannot pass map_type 2 into func bpf_perf_event_output#25" (check_map_func_compatibility()).
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
} not_perf SEC(".maps");

SEC("xdp")
int xdp_perf_wrong_map(struct xdp_md *ctx)
{
	__u32 cookie = 0xdead;

	bpf_perf_event_output(ctx, &not_perf, BPF_F_CURRENT_CPU, &cookie, sizeof(cookie));
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
