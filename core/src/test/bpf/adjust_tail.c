// bpf_xdp_adjust_tail(): trim a frame to its IP total length (drop Ethernet padding), and grow or
// shrink by a delta the frame carries. Growing zero-fills; the kernel refuses moves past the
// tailroom or below ETH_HLEN. Return codes and bpf_xdp_get_buff_len() land in tail_rc.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} tail_rc SEC(".maps");

static __always_inline void record(__u32 k, __s64 v)
{
	bpf_map_update_elem(&tail_rc, &k, &v, BPF_ANY);
}

SEC("xdp")
int xdp_trim_padding(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_DROP;
	int frame = data_end - data;
	int want = sizeof(*eth) + bpf_ntohs(iph->tot_len);
	if (want >= frame)
		return XDP_PASS;
	__s64 rc = bpf_xdp_adjust_tail(ctx, want - frame);
	record(0, rc);
	record(1, bpf_xdp_get_buff_len(ctx));
	return rc ? XDP_ABORTED : XDP_TX;
}

// Delta from bytes 14..15 (big-endian, signed). After growing, stamps the last byte with 0xee so
// the zero fill shows up to the end of the frame.
SEC("xdp")
int xdp_tail_delta(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 16) > data_end)
		return XDP_DROP;
	int delta = (short)((p[14] << 8) | p[15]);
	record(2, bpf_xdp_get_buff_len(ctx));
	__s64 rc = bpf_xdp_adjust_tail(ctx, delta);
	record(0, rc);
	record(1, bpf_xdp_get_buff_len(ctx));
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	__u64 len = bpf_xdp_get_buff_len(ctx);
	__u8 *last = data + ((len - 1) & 0xfff);
	if ((void *)(last + 1) <= data_end)
		*last = 0xee;
	return rc ? XDP_ABORTED : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
