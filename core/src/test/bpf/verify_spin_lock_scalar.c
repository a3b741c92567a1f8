// Verifier rejection: bpf_spin_lock given a number, not a pointer to a map value's lock.
#include <linux/bpf.h>
#include <bpf_helpers.h>

SEC("xdp")
__attribute__((naked)) int lock_scalar(struct xdp_md *ctx)
{
	asm volatile (
		"r1 = 8;"
		"call %[bpf_spin_lock];"
		"r0 = 2;"
		"exit;"
		:: [bpf_spin_lock] "i"(BPF_FUNC_spin_lock) : "memory");
}

char _license[] SEC("license") = "GPL";
