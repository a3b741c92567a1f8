// bpf_probe_read_kernel from the program's own stack through an address it made a number: the stack
// pointer is stored into a map value and loaded back (a privileged program may), then read. The JIT
// must keep the stack slot in memory for the read to see it. out[1] gets the 8 bytes read, out[0] the
// return code (overwriting the address, which differs from run to run).
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64[2]);
} out SEC(".maps");

SEC("xdp")
__attribute__((naked)) int probe_read_stack(struct xdp_md *ctx)
{
	asm volatile (
		"r1 = 0;"
		"*(u32 *)(r10 - 4) = r1;"
		"r2 = r10;"
		"r2 += -4;"
		"r1 = %[out] ll;"
		"call %[bpf_map_lookup_elem];"
		"if r0 != 0 goto 1f;"
		"exit;"
		"1:"
		"r6 = r0;"
		"r1 = 0x0102030405060708 ll;"
		"*(u64 *)(r10 - 16) = r1;"
		"r2 = r10;"
		"r2 += -16;"
		"*(u64 *)(r6 + 0) = r2;"
		"r3 = *(u64 *)(r6 + 0);"
		"r1 = r10;"
		"r1 += -24;"
		"r2 = 8;"
		"call %[bpf_probe_read_kernel];"
		"*(u64 *)(r6 + 0) = r0;"
		"r1 = *(u64 *)(r10 - 24);"
		"*(u64 *)(r6 + 8) = r1;"
		"r0 = 2;"
		"exit;"
		:: [bpf_map_lookup_elem] "i"(BPF_FUNC_map_lookup_elem), [bpf_probe_read_kernel] "i"(BPF_FUNC_probe_read_kernel),
		   [out] "i"(&out) : "memory");
}

char _license[] SEC("license") = "GPL";
