// DEVMAP and DEVMAP_HASH entries that carry a second program, run on egress (SEC("xdp/devmap"):
// expected_attach_type BPF_XDP_DEVMAP). Only such a program may read egress_ifindex. The main program
// redirects by byte 14 (0: ports, 1: ports_by_id) and byte 15 (the key); the egress program writes the
// target's ifindex over the source MAC's first byte and drops frames whose byte 16 is 1.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} ports_by_id SEC(".maps");

SEC("xdp")
int xdp_to_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 17) > data_end)
		return XDP_PASS;
	if (p[14] == 0)
		return bpf_redirect_map(&ports, p[15], 0);
	return bpf_redirect_map(&ports_by_id, p[15], 0);
}

SEC("xdp/devmap")
int xdp_egress_mark(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 17) > data_end)
		return XDP_DROP;
	if (p[16] == 1)
		return XDP_DROP;
	p[6] = (__u8)ctx->egress_ifindex;
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
