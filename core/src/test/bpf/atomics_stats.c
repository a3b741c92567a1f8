// Shared statistics updated with every atomic a multi-CPU XDP program uses on a map value:
// fetch-and-add whose old value picks the verdict (every Nth packet sampled), or/and/xor on a flag
// word, xchg of the last-seen length, cmpxchg to record the first sender, 32- and 64-bit. Plus the
// unsigned division and modulo of an average whose divisor comes from the frame and can be zero
// (BPF defines x/0 = 0 and x%0 = x).
#include "oracle_net.h"

struct stats {
	__u64 packets;
	__u64 bytes;
	__u64 flags;
	__u64 last_len;
	__u32 first_src;
	__u32 seen32;
	__u32 flags32;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stats);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} results SEC(".maps");

static __always_inline void out(__u32 k, __u64 v)
{
	bpf_map_update_elem(&results, &k, &v, BPF_ANY);
}

SEC("xdp")
int xdp_atomics(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	__u32 zero = 0;
	struct stats *s = bpf_map_lookup_elem(&stats, &zero);

	if (!s)
		return XDP_ABORTED;
	if ((void *)(p + 24) > data_end)
		return XDP_DROP;
	__u64 len = bpf_xdp_get_buff_len(ctx);
	__u64 before = __sync_fetch_and_add(&s->packets, 1);
	__sync_fetch_and_add(&s->bytes, len);
	__u64 bit = 1ull << (p[14] & 63);
	__u64 old_flags = __sync_fetch_and_or(&s->flags, bit);
	__sync_fetch_and_and(&s->flags, ~(1ull << (p[15] & 63)));
	__sync_fetch_and_xor(&s->flags, (__u64)p[16] << 32);
	__u64 prev_len = __sync_lock_test_and_set(&s->last_len, len);
	__u32 src = *(__u32 *)(p + 6);
	__u32 won = __sync_val_compare_and_swap(&s->first_src, 0, src);
	__u32 seen = __sync_fetch_and_add(&s->seen32, p[17]);
	__sync_fetch_and_or(&s->flags32, 1u << (p[18] & 31));
	__u64 old64 = __sync_val_compare_and_swap(&s->flags, old_flags | bit, 0xfeedull);

	__u64 divisor = p[19];
	__u32 divisor32 = p[20];
	out(0, before);
	out(1, old_flags);
	out(2, prev_len);
	out(3, ((__u64)won << 32) | seen);
	out(4, old64);
	out(5, s->bytes / divisor);
	out(6, s->bytes % divisor);
	out(7, ((__u64)((__u32)len / divisor32) << 32) | ((__u32)s->packets % divisor32));
	return (before % 4 == 3) ? XDP_TX : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
