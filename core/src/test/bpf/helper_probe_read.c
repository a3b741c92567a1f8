// bpf_probe_read_kernel from memory the program owns (stack, a map value, the packet) and from addresses
// nothing is mapped at: res[2i] is what read i returned, res[2i + 1] the 8 bytes it left in the buffer
// (prefilled with 0x1122334455667788).
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

static __always_inline void put(__u32 i, __s64 v)
{
	bpf_map_update_elem(&res, &i, &v, 0);
}

#define READ(i, size, src) do { \
	__u64 buf = 0x1122334455667788ULL; \
	put(2 * (i), bpf_probe_read_kernel(&buf, size, (const void *)(src))); \
	put(2 * (i) + 1, buf); \
} while (0)

SEC("xdp")
int probe_read_cases(struct xdp_md *ctx)
{
	volatile __u64 local = 0x0102030405060708ULL;
	__u32 k = 3;
	__s64 *v;

	put(3, 0x7766554433221100LL);
	v = bpf_map_lookup_elem(&res, &k);
	if (!v)
		return XDP_ABORTED;
	READ(4, 8, &local);
	READ(5, 8, v);
	READ(6, 8, (long)ctx->data);
	READ(7, 4, (long)ctx->data + 4);
	READ(8, 8, 0);
	READ(9, 0, 0);
	READ(10, 8, 0x1000);
	READ(11, 8, 0xffff000000000000ULL);
	READ(12, 8, 0xffffffffff600000ULL);
	READ(13, 8, 0xffff800000000000ULL);
	READ(14, 8, 0xffffffffffff0000ULL);
	READ(15, 0, &local);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
