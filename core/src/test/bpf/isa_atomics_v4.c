// Every atomic of the ISA (add/or/and/xor with and without fetch, xchg, cmpxchg; 32 and 64 bit)
// on a map value, as clang-19 emits them for cpu v4. The ISA tests read the kernel's verifier log
// of this object to pin the disassembly of each form.
// build: -mcpu=v4
#include "oracle_net.h"

struct cells {
	__u64 a64, b64, c64;
	__u32 a32, b32, c32;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cells);
} cells SEC(".maps");

SEC("xdp")
int xdp_atomics(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct cells *c = bpf_map_lookup_elem(&cells, &k);
	__u64 v = ctx->data_end - ctx->data;
	__u64 r = 0;

	if (!c)
		return XDP_ABORTED;
	__sync_fetch_and_add(&c->a64, v);
	__sync_fetch_and_or(&c->a64, v);
	__sync_fetch_and_and(&c->a64, v | 1);
	__sync_fetch_and_xor(&c->a64, v);
	__sync_fetch_and_add(&c->a32, (__u32)v);
	__sync_fetch_and_or(&c->a32, (__u32)v);
	__sync_fetch_and_and(&c->a32, (__u32)v | 1);
	__sync_fetch_and_xor(&c->a32, (__u32)v);
	r += __sync_fetch_and_add(&c->b64, v);
	r += __sync_fetch_and_or(&c->b64, v);
	r += __sync_fetch_and_and(&c->b64, v);
	r += __sync_fetch_and_xor(&c->b64, v);
	r += __sync_fetch_and_add(&c->b32, (__u32)v);
	r += __sync_fetch_and_or(&c->b32, (__u32)v);
	r += __sync_fetch_and_and(&c->b32, (__u32)v);
	r += __sync_fetch_and_xor(&c->b32, (__u32)v);
	r += __sync_lock_test_and_set(&c->c64, v);
	r += __sync_lock_test_and_set(&c->c32, (__u32)v);
	r += __sync_val_compare_and_swap(&c->c64, r, v);
	r += __sync_val_compare_and_swap(&c->c32, (__u32)r, (__u32)v);
	return r & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
