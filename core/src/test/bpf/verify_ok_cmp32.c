// Safe: a map value index bounded by a 32-bit compare (the 32-bit bounds carry to the 64-bit ones).
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32[4]);
} quads SEC(".maps");

SEC("xdp")
__attribute__((naked)) int xdp_ok_cmp32(void)
{
	asm volatile(
	"r6 = *(u32 *)(r1 + 16);"
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[quads] ll;"
	"call 1;"
	"if r0 == 0 goto +6;"
	"if w6 > 3 goto +5;"
	"r6 <<= 2;"
	"r0 += r6;"
	"r0 = *(u32 *)(r0 + 0);"
	"r0 &= 3;"
	"exit;"
	"r0 = 2;"
	"exit;"
	:: [quads]"i"(&quads) : "memory");
}

char _license[] SEC("license") = "GPL";
