// Verifier rejection: bpf_strtol's result pointer is on the stack but not 8-byte aligned (fp-20).
#include <linux/bpf.h>
#include <bpf_helpers.h>

SEC("xdp")
__attribute__((naked)) int strtol_misaligned(struct xdp_md *ctx)
{
	asm volatile (
		"r1 = 0x3234;"
		"*(u64 *)(r10 - 8) = r1;"
		"r1 = r10;"
		"r1 += -8;"
		"r2 = 2;"
		"r3 = 10;"
		"r4 = r10;"
		"r4 += -20;"
		"call %[bpf_strtol];"
		"r0 = 2;"
		"exit;"
		:: [bpf_strtol] "i"(BPF_FUNC_strtol) : "memory");
}

char _license[] SEC("license") = "GPL";
