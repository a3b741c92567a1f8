// Verifier rejection: bpf_loop()'s count must be a number; a pointer there is refused (the kernel's
// precision tracking of the count finds no scalar to follow). jxdp once took the pointer's value.
#include "oracle_net.h"

static int step(__u32 index, void *data)
{
	return 0;
}

SEC("xdp")
__attribute__((naked)) int xdp_loop_ptr_count(void)
{
	asm volatile(
	"r1 = r10;"
	"r1 += -8;"
	"r2 = %[step] ll;"
	"r3 = 0;"
	"r4 = 0;"
	"call %[loop];"
	"r0 = 2;"
	"exit;"
	:: [step]"i"(step), [loop]"i"(BPF_FUNC_loop) : "memory");
}

char _license[] SEC("license") = "GPL";
