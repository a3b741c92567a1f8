// bpf_xdp_adjust_meta(): reserve metadata in front of the frame and write into it what a later
// stage (an AF_XDP consumer, a TC program) would read: a magic, the frame length and the L3
// protocol. data_out starts at data_meta, so the metadata shows in it. Probes of the refused
// sizes record their return codes in meta_rc.
#include "oracle_net.h"

struct meta {
	__u32 magic;
	__u32 frame_len;
	__u16 proto;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} meta_rc SEC(".maps");

SEC("xdp")
int xdp_meta_write(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct meta)))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct meta *m = (void *)(long)ctx->data_meta;
	struct ethhdr *eth = data;

	if ((void *)(m + 1) > data)
		return XDP_ABORTED;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	m->magic = 0x4a584450; /* "JXDP" */
	m->frame_len = data_end - data;
	m->proto = bpf_ntohs(eth->h_proto);
	m->pad = 0xffff;
	return XDP_PASS;
}

// Metadata, then bpf_xdp_adjust_head() eats the Ethernet header: the kernel moves the metadata
// along with data, so it still sits right before the (new) data.
SEC("xdp")
int xdp_meta_then_head(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_meta(ctx, -8))
		return XDP_ABORTED;
	__u32 *m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 2) > (void *)(long)ctx->data)
		return XDP_ABORTED;
	m[0] = 0x11223344;
	m[1] = 0x55667788;
	__s64 rc = bpf_xdp_adjust_head(ctx, ETH_HLEN);
	__u32 k = 0;
	bpf_map_update_elem(&meta_rc, &k, &rc, BPF_ANY);
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 2) > (void *)(long)ctx->data)
		return XDP_DROP;
	m[1] ^= 0xffffffff;
	return XDP_PASS;
}

// Meta delta from byte 14 (signed): multiples of 4 within the headroom work, others are refused;
// the second call shrinks the metadata back by the same amount.
SEC("xdp")
int xdp_meta_probe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 16) > data_end)
		return XDP_DROP;
	int delta = (short)((p[14] << 8) | p[15]);
	__s64 rc = bpf_xdp_adjust_meta(ctx, delta);
	__u32 k = 0;
	bpf_map_update_elem(&meta_rc, &k, &rc, BPF_ANY);
	__s64 metalen = (long)ctx->data - (long)ctx->data_meta;
	k = 1;
	bpf_map_update_elem(&meta_rc, &k, &metalen, BPF_ANY);
	rc = bpf_xdp_adjust_meta(ctx, 4);
	k = 2;
	bpf_map_update_elem(&meta_rc, &k, &rc, BPF_ANY);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
