// Verifier rejection: a function that tail-calls may not run below 256 bytes or more of its callers'
// frames: a tail call keeps them while the next program adds its own, up to 33 times
// ("tail_calls are not allowed when call stack of previous frames is 320 bytes. Too large").
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jumps SEC(".maps");

static __attribute__((noinline, naked, used)) int jump(void)
{
	asm volatile(
	"r2 = %[jumps] ll;"
	"r3 = 0;"
	"call %[tail_call];"
	"r0 = 2;"
	"exit;"
	:: [jumps]"i"(&jumps), [tail_call]"i"(BPF_FUNC_tail_call) : "memory");
}

SEC("xdp")
__attribute__((naked)) int xdp_tail_call_deep_stack(void)
{
	asm volatile(
	"r2 = 1;"
	"*(u64 *)(r10 - 320) = r2;"
	"call jump;"
	"r0 = 2;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
