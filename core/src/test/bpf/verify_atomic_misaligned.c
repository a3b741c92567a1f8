// Verifier rejection: atomic operations need naturally aligned addresses whatever the memory; a 4-byte
// atomic add at offset 2 of a map value is misaligned (check_ptr_alignment() with strict alignment for
// atomics). jxdp once checked alignment of atomics only on the stack.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

SEC("xdp")
__attribute__((naked)) int xdp_atomic_misaligned(void)
{
	asm volatile(
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[counters] ll;"
	"call %[lookup];"
	"if r0 == 0 goto 1f;"
	"r1 = 1;"
	"lock *(u32 *)(r0 + 2) += r1;"
	"1: r0 = 2;"
	"exit;"
	:: [counters]"i"(&counters), [lookup]"i"(BPF_FUNC_map_lookup_elem) : "memory");
}

char _license[] SEC("license") = "GPL";
