// bpf_check_mtu() as XDP has it (bpf_xdp_check_mtu): the frame after its Ethernet header says what to ask
// (ifindex, mtu_len in, len_diff, flags); the answer (return code, mtu_len out) goes to a map. In
// BPF_PROG_TEST_RUN the ingress device is loopback (ifindex 1, MTU 65536, 14-byte hard header).
#include "oracle_net.h"

struct ask {
	__u32 ifindex;
	__u32 mtu_len;
	__s32 len_diff;
	__u32 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __s64);
	__uint(max_entries, 2);
} answer SEC(".maps");

SEC("xdp")
int xdp_check_mtu(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ask *a = data + sizeof(struct ethhdr);
	__u32 k0 = 0, k1 = 1;
	__u32 mtu;

	if ((void *)(a + 1) > data_end)
		return XDP_ABORTED;
	mtu = a->mtu_len;
	__s64 ret = bpf_check_mtu(ctx, a->ifindex, &mtu, a->len_diff, a->flags);
	__s64 out = mtu;
	bpf_map_update_elem(&answer, &k0, &ret, BPF_ANY);
	bpf_map_update_elem(&answer, &k1, &out, BPF_ANY);
	return ret == BPF_MTU_CHK_RET_SUCCESS ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
