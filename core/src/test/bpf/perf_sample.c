// bpf_perf_event_output() as XDP has it (bpf_xdp_event_output): a packet sampler as xdpdump and
// xdp-tutorial's tracing04 write one (a meta struct, then the first bytes of the frame, the count in the
// upper 32 bits of flags, the target CPU in the lower), and a program whose frame says what to ask (flags,
// which map, which meta size), so that every return code the helper has can be compared with the kernel.
// Return codes go to the answer map; with no perf event attached (BPF_PROG_TEST_RUN) the kernel answers
// -ENOENT for an index it has, -E2BIG beyond max_entries, -EFAULT for more frame bytes than the frame
// has, -EINVAL for flag bits outside BPF_F_INDEX_MASK | BPF_F_CTXLEN_MASK.
#include "oracle_net.h"

#define SAMPLE_SIZE 64

struct meta {
	__u16 cookie;
	__u16 pkt_len;
};

// no max_entries: libbpf makes it the number of possible CPUs
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
} events4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __s64);
	__uint(max_entries, 2);
} answer SEC(".maps");

static __always_inline void tell(__u32 k, __s64 v)
{
	bpf_map_update_elem(&answer, &k, &v, BPF_ANY);
}

// the sampler: cookie and length, then at most SAMPLE_SIZE bytes of the frame, to this CPU's reader
SEC("xdp")
int xdp_sampler(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct meta m;
	__u64 len = data_end - data;
	__u64 cap = len < SAMPLE_SIZE ? len : SAMPLE_SIZE;
	__u64 flags = BPF_F_CURRENT_CPU | (cap << 32);

	m.cookie = 0xdead;
	m.pkt_len = (__u16)len;
	long ret = bpf_perf_event_output(ctx, &samples, flags, &m, sizeof(m));
	tell(0, ret);
	return XDP_PASS;
}

struct ask {
	__u64 flags;
	__u32 map;       // 0: samples, else events4
	__u32 no_meta;   // 1: meta size 0
};

SEC("xdp")
int xdp_perf_ask(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ask *a = data + sizeof(struct ethhdr);
	struct meta m = { .cookie = 0xbeef };
	long ret;

	if ((void *)(a + 1) > data_end)
		return XDP_ABORTED;
	m.pkt_len = (__u16)(data_end - data);
	__u64 flags = a->flags;
	if (a->no_meta)
		ret = bpf_perf_event_output(ctx, a->map ? (void *)&events4 : (void *)&samples, flags, &m, 0);
	else if (a->map)
		ret = bpf_perf_event_output(ctx, &events4, flags, &m, sizeof(m));
	else
		ret = bpf_perf_event_output(ctx, &samples, flags, &m, sizeof(m));
	tell(0, ret);
	tell(1, flags >> 32);
	return ret == 0 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
