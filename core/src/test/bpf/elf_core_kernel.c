// A CO-RE relocation only the kernel's BTF can answer: the object declares struct sk_buff but does not
// define it.
#include <linux/bpf.h>
#include <bpf_helpers.h>
#include <bpf_core_read.h>

struct sk_buff;

SEC("xdp")
int needs_kernel(struct xdp_md *ctx)
{
	return bpf_core_type_exists(struct sk_buff) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
