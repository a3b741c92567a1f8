// Verifier rejection: writes into a ring buffer record without checking the reservation for null.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
__attribute__((naked)) int xdp_null_ringbuf(void)
{
	asm volatile(
	"r1 = %[events] ll;"
	"r2 = 8;"
	"r3 = 0;"
	"call 131;"
	"r1 = 0;"
	"*(u64 *)(r0 + 0) = r1;"
	"r1 = r0;"
	"r2 = 0;"
	"call 132;"
	"r0 = 2;"
	"exit;"
	:: [events]"i"(&events) : "memory");
}

char _license[] SEC("license") = "GPL";
