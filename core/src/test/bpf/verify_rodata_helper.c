// Verifier rejection: lets a helper (bpf_xdp_load_bytes) write into a .rodata array.
#include "oracle_net.h"

const volatile __u8 pattern[8] = {1, 2, 3, 4, 5, 6, 7, 8};

SEC("xdp")
int xdp_rodata_helper(struct xdp_md *ctx)
{
	return bpf_xdp_load_bytes(ctx, 0, (void *)pattern, sizeof(pattern)) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
