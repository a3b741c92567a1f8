// Signed arithmetic as clang-19 emits it for cpu v4: sign-extending loads from the packet
// (ldsx b/h/w), movsx, signed division and modulo (sdiv/smod, 32 and 64 bit, including the
// MIN / -1 corner the ISA defines), and unconditional byte swaps (bswap 16/32/64). Operands come
// from the frame; every result lands in sres.
// build: -mcpu=v4
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __s64);
} sres SEC(".maps");

static __always_inline void out(__u32 k, __s64 v)
{
	bpf_map_update_elem(&sres, &k, &v, BPF_ANY);
}

// Frame layout after the Ethernet header: a (s8) @14, b (s16 BE-free, host order) @16,
// c (s32) @20, d (s64) @24, e (s32) @32.
SEC("xdp")
int xdp_signed(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 36) > data_end)
		return XDP_DROP;
	long a = (long)(signed char)p[14];
	long b = (long)*(short *)(p + 16);
	long c = (long)*(int *)(p + 20);
	long d = *(long *)(p + 24);
	int e = *(int *)(p + 32);

	out(0, a);
	out(1, b);
	out(2, c);
	if (b != 0) {
		out(3, d / b);
		out(4, d % b);
	}
	if (a != 0) {
		out(5, (int)c / (int)a);
		out(6, (int)c % (int)a);
	}
	if (e != 0) {
		out(7, d / e);
		out(8, (int)d % e);
	}
	out(9, (long)(int)(d >> 13));
	out(10, (long)(short)(c + b));
	out(11, __builtin_bswap16((__u16)c));
	out(12, __builtin_bswap32((__u32)c));
	out(13, __builtin_bswap64((__u64)d));
	out(14, (long)(signed char)(a * 3) >> 1);
	out(15, a < b ? -1 : (a == b ? 0 : 1));
	return (a < 0) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
