// Verifier rejection: a bpf_loop() callback that is safe on its first two iterations but not on its third:
// it writes at an offset kept in the caller's context and advances it by 4 in an 8-byte map value. The
// kernel explores the callback again until its states converge and rejects the third iteration; jxdp
// once verified the first iteration only.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} vals SEC(".maps");

static __attribute__((noinline, naked)) long advance(void)
{
	asm volatile(
	"r3 = *(u64 *)(r2 + 8);"
	"r4 = *(u64 *)(r2 + 0);"
	"r3 += r4;"
	"r5 = 1;"
	"*(u8 *)(r3 + 0) = r5;"
	"r4 += 4;"
	"*(u64 *)(r2 + 0) = r4;"
	"r0 = 0;"
	"exit;"
	::: "memory");
}

SEC("xdp")
__attribute__((naked)) int xdp_callback_later_iter(void)
{
	asm volatile(
	"r1 = 0;"
	"*(u32 *)(r10 - 4) = r1;"
	"r2 = r10;"
	"r2 += -4;"
	"r1 = %[vals] ll;"
	"call %[lookup];"
	"if r0 == 0 goto l_out;"
	"*(u64 *)(r10 - 16) = r0;"
	"r1 = 0;"
	"*(u64 *)(r10 - 24) = r1;"
	"r1 = 100;"
	"r2 = %[advance] ll;"
	"r3 = r10;"
	"r3 += -24;"
	"r4 = 0;"
	"call %[loop];"
	"l_out:"
	"r0 = 2;"
	"exit;"
	:: [lookup]"i"(BPF_FUNC_map_lookup_elem), [loop]"i"(BPF_FUNC_loop), [vals]"i"(&vals),
	   [advance]"i"(advance)
	: "memory");
}

char _license[] SEC("license") = "GPL";
