// Verifier rejection: a tail call made inside a function returns, when the called program ends, to that
// function's caller, skipping the rest of the function. Here the rest would have replaced the caller's
// stack offset (-1024) with a fine one; on the tail call path it stays, and the caller reads 1024 bytes
// below its frame: "invalid read from stack R2 off=-1024 size=8". jxdp once only followed the path on
// which the tail call fails.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jumps SEC(".maps");

static __attribute__((noinline, naked, used)) int chain(void)
{
	asm volatile(
	"r6 = r2;"
	"r2 = %[jumps] ll;"
	"r3 = 1;"
	"call %[tail_call];"
	"r1 = -16;"
	"*(u64 *)(r6 + 0) = r1;"
	"r0 = 0;"
	"exit;"
	:: [jumps]"i"(&jumps), [tail_call]"i"(BPF_FUNC_tail_call) : "memory");
}

SEC("xdp")
__attribute__((naked)) int xdp_tail_call_subprog(void)
{
	asm volatile(
	"r3 = -1024;"
	"*(u64 *)(r10 - 8) = r3;"
	"r2 = r10;"
	"r2 += -8;"
	"call chain;"
	"r1 = *(u64 *)(r10 - 8);"
	"r2 = r10;"
	"r2 += r1;"
	"r0 = *(u64 *)(r2 + 0);"
	"r0 = 2;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
