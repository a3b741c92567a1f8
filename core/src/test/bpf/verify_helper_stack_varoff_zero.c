// Verifier rejection: a known-zero stack slot a helper may write at a variable offset is no longer
// known to be zero; used as an offset into a map value, its unknown value may reach past the value.
// jxdp once kept the slot's zero.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

SEC("xdp")
__attribute__((naked)) int xdp_helper_stack_varoff_zero(void)
{
	asm volatile(
	"r6 = r1;"
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"*(u64 *)(r10 - 16) = r1;"
	"*(u32 *)(r10 - 20) = r1;"
	"r3 = *(u32 *)(r6 + 16);"
	"r3 &= 8;"
	"r3 += -16;"
	"r3 += r10;"
	"r1 = r6;"
	"r2 = 0;"
	"r4 = 8;"
	"call %[load_bytes];"
	"r2 = r10;"
	"r2 += -20;"
	"r1 = %[vals] ll;"
	"call %[lookup];"
	"if r0 == 0 goto l_out;"
	"r7 = *(u64 *)(r10 - 8);"
	"r0 += r7;"
	"r0 = *(u8 *)(r0 + 0);"
	"exit;"
	"l_out:"
	"r0 = 2;"
	"exit;"
	:: [load_bytes]"i"(BPF_FUNC_xdp_load_bytes), [lookup]"i"(BPF_FUNC_map_lookup_elem), [vals]"i"(&vals)
	: "memory");
}

char _license[] SEC("license") = "GPL";
