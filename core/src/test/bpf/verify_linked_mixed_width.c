// Verifier rejection: r7 = r6 + 1 in 32 bits (zero-extended) and r8 = r6 + 2 in 64 bits share r6's id
// but not one delta: learning r7 = 0xffffffff says r6 = 0xfffffffe and r8 = 0x100000000, not
// zext(r7 + 1) = 0. Used as a map value offset, r8 is out of bounds. The kernel keeps links of
// different widths apart (sync_linked_regs()); a verifier that did not would let the load through.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cells SEC(".maps");

SEC("xdp")
__attribute__((naked)) int xdp_linked_mixed_width(void)
{
	asm volatile(
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[cells] ll;"
	"call %[lookup];"
	"if r0 == 0 goto 1f;"
	"r9 = r0;"
	"call %[rnd];"
	"w6 = w0;"
	"r7 = r6;"
	"w7 += 1;"
	"r8 = r6;"
	"r8 += 2;"
	"r5 = 0xffffffff ll;"
	"if r7 < r5 goto 1f;"
	"r9 += r8;"
	"r0 = *(u8 *)(r9 + 0);"
	"1: r0 = 2;"
	"exit;"
	:: [cells]"i"(&cells), [lookup]"i"(BPF_FUNC_map_lookup_elem), [rnd]"i"(BPF_FUNC_get_prandom_u32)
	: "memory");
}

char _license[] SEC("license") = "GPL";
