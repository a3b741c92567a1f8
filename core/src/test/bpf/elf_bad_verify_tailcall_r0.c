// bpf_tail_call returns nothing the program may read: the verifier leaves r0 uninitialised after the
// call (RET_VOID), so reading it when the call falls through is refused (R0 !read_ok).
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} r0_jmp SEC(".maps");

SEC("xdp")
int xdp_tail_r0(struct xdp_md *ctx)
{
	return bpf_tail_call(ctx, &r0_jmp, 1);
}

char _license[] SEC("license") = "GPL";
