// Verifier rejection: the meta size of bpf_perf_event_output() (ARG_CONST_SIZE_OR_ZERO) comes from the
// packet with no bound: "R5 unbounded memory access, use 'var &= const' or 'if (var < const)'".
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 2);
} events SEC(".maps");

SEC("xdp")
int xdp_perf_size_var(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	__u32 *len = data + sizeof(struct ethhdr);
	char buf[16] = {};

	if ((void *)(len + 1) > data_end)
		return XDP_ABORTED;
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, buf, *len);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
