// Tail-call chains for the differential suite: how far one run's tail calls go, and what counts
// against the kernel's limit (MAX_TAIL_CALL_CNT, 33 per run). Each entry program is one scenario;
// slots 0 (ping) and 1 (pong) tail-call each other, slot 2 is empty, slot 3 calls itself.
// Constant indices (the verifier's record_func_key, which the JIT turns into direct calls) and an
// index from the packet (an indirect call) are both exercised.
#include "oracle_net.h"

enum { SLOT_PING = 0, SLOT_PONG = 1, SLOT_EMPTY = 2, SLOT_SELF = 3, SLOTS = 4 };
enum { HIT_ENTRY, HIT_PING, HIT_PONG, HIT_SELF, HIT_FALLTHROUGH, HIT_SUB_BACK, HIT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HIT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} chain_hits SEC(".maps");

static __always_inline void hit(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&chain_hits, &what);

	if (v)
		__sync_fetch_and_add(v, 1);
}

int xdp_ping(struct xdp_md *ctx);
int xdp_pong(struct xdp_md *ctx);
int xdp_self(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SLOTS);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} chain_jmp SEC(".maps") = {
	.values = {
		[SLOT_PING] = (void *)&xdp_ping,
		[SLOT_PONG] = (void *)&xdp_pong,
		[SLOT_SELF] = (void *)&xdp_self,
	},
};

// What a subprogram's caller got back, stored before the caller's own tail call.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s64);
} sub_rc SEC(".maps");

// A subprogram's tail call replaces only its own frame: its caller gets the called program's verdict.
static __noinline int sub_jump(struct xdp_md *ctx, __u32 slot)
{
	bpf_tail_call(ctx, &chain_jmp, slot);
	return 100 + slot;
}

// Each scenario is a program of its own, so that clang cannot merge their tail-call sites.

SEC("xdp")
int xdp_chain(struct xdp_md *ctx)
{
	hit(HIT_ENTRY);
	/* ping -> pong -> ping ... until the limit */
	bpf_tail_call(ctx, &chain_jmp, SLOT_PING);
	hit(HIT_FALLTHROUGH);
	return 40;
}

SEC("xdp")
int xdp_chain_empty_first(struct xdp_md *ctx)
{
	hit(HIT_ENTRY);
	/* five calls to the empty slot first: do they count against the limit? */
	bpf_tail_call(ctx, &chain_jmp, SLOT_EMPTY);
	bpf_tail_call(ctx, &chain_jmp, SLOT_EMPTY);
	bpf_tail_call(ctx, &chain_jmp, SLOT_EMPTY);
	bpf_tail_call(ctx, &chain_jmp, SLOT_EMPTY);
	bpf_tail_call(ctx, &chain_jmp, SLOT_EMPTY);
	bpf_tail_call(ctx, &chain_jmp, SLOT_PING);
	hit(HIT_FALLTHROUGH);
	return 41;
}

SEC("xdp")
int xdp_chain_past_end(struct xdp_md *ctx)
{
	hit(HIT_ENTRY);
	/* an index at max_entries, then one far past it: both fall through, the program goes on */
	bpf_tail_call(ctx, &chain_jmp, SLOTS);
	bpf_tail_call(ctx, &chain_jmp, 0xffffffff);
	hit(HIT_FALLTHROUGH);
	return 42;
}

SEC("xdp")
int xdp_chain_from_packet(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	hit(HIT_ENTRY);
	if ((void *)(p + 16) > data_end)
		return XDP_DROP;
	/* the index from the packet: not a constant, an indirect call */
	bpf_tail_call(ctx, &chain_jmp, p[14]);
	hit(HIT_FALLTHROUGH);
	return 43;
}

SEC("xdp")
int xdp_chain_sub_then_tail(struct xdp_md *ctx)
{
	__u32 k = 0;
	__s64 rc;

	hit(HIT_ENTRY);
	/* a subprogram's tail call into the self loop, then one from here: is the count the run's? */
	rc = sub_jump(ctx, SLOT_SELF);
	hit(HIT_SUB_BACK);
	bpf_map_update_elem(&sub_rc, &k, &rc, BPF_ANY);
	bpf_tail_call(ctx, &chain_jmp, SLOT_PING);
	hit(HIT_FALLTHROUGH);
	return 44;
}

SEC("xdp")
int xdp_chain_sub_empty(struct xdp_md *ctx)
{
	hit(HIT_ENTRY);
	/* a subprogram's tail call to the empty slot falls through in the subprogram */
	return sub_jump(ctx, SLOT_EMPTY);
}

SEC("xdp")
int xdp_ping(struct xdp_md *ctx)
{
	hit(HIT_PING);
	bpf_tail_call(ctx, &chain_jmp, SLOT_PONG);
	return 50;
}

SEC("xdp")
int xdp_pong(struct xdp_md *ctx)
{
	hit(HIT_PONG);
	bpf_tail_call(ctx, &chain_jmp, SLOT_PING);
	return 60;
}

SEC("xdp")
int xdp_self(struct xdp_md *ctx)
{
	hit(HIT_SELF);
	bpf_tail_call(ctx, &chain_jmp, SLOT_SELF);
	return XDP_REDIRECT;
}

char _license[] SEC("license") = "GPL";
