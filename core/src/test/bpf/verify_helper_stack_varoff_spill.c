// Verifier rejection: bpf_xdp_load_bytes() writes 8 bytes at fp-16 plus a variable offset (0 or 8), so it
// may overwrite the packet pointer spilled at fp-16 with packet bytes: the kernel makes that spill an
// unknown number (check_stack_range_initialized() clobbers every byte the write may reach), and the
// later dereference of what is filled from it is refused. jxdp once left the spill as it was.
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_helper_stack_varoff_spill(void)
{
	asm volatile(
	"r6 = r1;"
	"r7 = *(u32 *)(r1 + 0);"
	"r8 = *(u32 *)(r1 + 4);"
	"r2 = r7;"
	"r2 += 8;"
	"if r2 > r8 goto l_out;"
	"*(u64 *)(r10 - 16) = r7;"
	"r3 = *(u32 *)(r6 + 16);"
	"r3 &= 8;"
	"r3 += -16;"
	"r3 += r10;"
	"r1 = r6;"
	"r2 = 0;"
	"r4 = 8;"
	"call %[load_bytes];"
	"r9 = *(u64 *)(r10 - 16);"
	"r0 = *(u8 *)(r9 + 0);"
	"exit;"
	"l_out:"
	"r0 = 2;"
	"exit;"
	:: [load_bytes]"i"(BPF_FUNC_xdp_load_bytes)
	: "memory");
}

char _license[] SEC("license") = "GPL";
