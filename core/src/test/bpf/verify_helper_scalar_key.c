// Verifier rejection: passes a number (the queue index) as the key pointer of bpf_map_lookup_elem().
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} table SEC(".maps");

SEC("xdp")
__attribute__((naked)) int xdp_scalar_key(void)
{
	asm volatile(
	"r2 = *(u32 *)(r1 + 16);"
	"r1 = %[table] ll;"
	"call 1;"
	"r0 = 2;"
	"exit;"
	:: [table]"i"(&table) : "memory");
}

char _license[] SEC("license") = "GPL";
