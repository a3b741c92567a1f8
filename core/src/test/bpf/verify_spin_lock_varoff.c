// Verifier rejection: the pointer given to bpf_spin_lock has a variable offset into the value.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct counted {
	__u64 cnt;
	struct bpf_spin_lock lock;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct counted);
} locked SEC(".maps");

SEC("xdp")
__attribute__((naked)) int lock_varoff(struct xdp_md *ctx)
{
	asm volatile (
		"r6 = r1;"
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[locked] ll;"
		"call %[bpf_map_lookup_elem];"
		"if r0 != 0 goto 1f;"
		"exit;"
		"1:"
		"r1 = *(u32 *)(r6 + 16);"
		"r1 &= 8;"
		"r1 += r0;"
		"call %[bpf_spin_lock];"
		"r0 = 2;"
		"exit;"
		:: [bpf_spin_lock] "i"(BPF_FUNC_spin_lock), [bpf_map_lookup_elem] "i"(BPF_FUNC_map_lookup_elem),
		   [locked] "i"(&locked) : "memory");
}

char _license[] SEC("license") = "GPL";
