// Verifier rejection: bpf_probe_read_kernel is GPL-only, and this program's license is not GPL.
#include <linux/bpf.h>
#include <bpf_helpers.h>

SEC("xdp")
int probe_read_license(struct xdp_md *ctx)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)(long)ctx->data);
	return v ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "Proprietary";
