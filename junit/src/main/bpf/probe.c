// What the kit loads once to ask whether an engine can run here: the smallest XDP program there is.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int probe(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
