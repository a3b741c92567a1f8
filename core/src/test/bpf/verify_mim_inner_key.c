// Verifier rejection: the inner hash's key is 16 bytes (the template's); the program passes an 8-byte
// key at the top of its stack, so the lookup would read past the frame.
#include "oracle_net.h"

struct wide_key {
	__u64 lo, hi;
};

struct wide_inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, struct wide_key);
	__type(value, __u32);
};

struct wide_inner wide0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct wide_inner);
} outer_wide SEC(".maps") = {
	.values = { [0] = &wide0 },
};

SEC("xdp")
int xdp_mim_inner_key(struct xdp_md *ctx)
{
	__u32 k = 0;
	void *inner = bpf_map_lookup_elem(&outer_wide, &k);

	if (!inner)
		return XDP_DROP;
	__u64 ik = ctx->ingress_ifindex;
	long found;

	// the key written at fp-8, the top of the frame, where clang would not put it
	asm volatile("*(u64 *)(r10 - 8) = %[ik];"
		     "r1 = %[inner];"
		     "r2 = r10;"
		     "r2 += -8;"
		     "call 1;"
		     "%[found] = r0;"
		     : [found] "=r"(found)
		     : [inner] "r"(inner), [ik] "r"(ik)
		     : "r0", "r1", "r2", "r3", "r4", "r5", "memory");
	return found ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
