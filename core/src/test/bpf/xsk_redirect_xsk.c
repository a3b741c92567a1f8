// jxdp's bpf_redirect_xsk (include/jxdp_helpers.h): every frame to its RX queue's AF_XDP socket,
// XDP_REDIRECT_XSK when that socket is the queue's only one, else as bpf_redirect_map; XDP_PASS when
// the slot is empty. The kernel has no helper 0x10000 and refuses the object: it runs in jxdp only
// (RedirectXskTest; the differential tests name it as a jxdp extension).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <jxdp_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} xsks_map SEC(".maps");

SEC("xdp")
int xdp_redirect_xsk(struct xdp_md *ctx)
{
	return bpf_redirect_xsk(ctx, &xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
