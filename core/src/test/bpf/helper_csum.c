// bpf_csum_diff over the packet: bytes 0-1 = from_size, bytes 2-3 = to_size (each at most 1023), bytes 4-7 = seed; from at 8,
// to at 8 + 1024. The 64-bit return value replaces bytes 0-7.
#include <linux/bpf.h>
#include <bpf_helpers.h>

SEC("xdp")
int csum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (data + 8 + 1024 + 1024 > end)
		return XDP_ABORTED;
	__u32 from_size = *(__u16 *)data;
	__u32 to_size = *(__u16 *)(data + 2);
	__u32 seed = *(__u32 *)(data + 4);
	from_size &= 0x3ff;
	to_size &= 0x3ff;
	__s64 r = bpf_csum_diff(data + 8, from_size, data + 8 + 1024, to_size, seed);
	*(__s64 *)data = r;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
