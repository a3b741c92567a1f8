// Reads stack bytes never written. The unprivileged verifier refuses it; root (CAP_PERFMON,
// env->allow_uninit_stack) reads them as an unknown scalar, so the kernel, asked as root, loads it.
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_uninit_stack(void)
{
	asm volatile(
	"r0 = *(u64 *)(r10 - 8);"
	"r0 &= 3;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
