// Bad input for the loader: bpf_sk_lookup_udp (85), a helper the kernel gives XDP programs and jxdp does
// not implement (it needs the kernel's sockets): refused at load with one line naming it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_sk_lookup(struct xdp_md *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk = bpf_sk_lookup_udp(ctx, &tuple, sizeof(tuple.ipv4), -1, 0);

	if (!sk)
		return XDP_PASS;
	bpf_sk_release(sk);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
