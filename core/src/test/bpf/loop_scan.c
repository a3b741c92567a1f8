// bpf_loop as programs use it to walk a header chain or payload: a callback with a context struct on
// the caller's stack reads the frame through direct packet access, 2 bytes a step, and stops at the
// end of the frame or at a marker byte. The result and the step count land in scan_out, so the kernel
// and jxdp are compared on every iteration's effect, not only the verdict. Also the bench case for
// bpf_loop's call overhead (jmh/cases.json "bpf_loop").
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} scan_out SEC(".maps");

struct scan {
	void *data;
	void *data_end;
	__u32 off;
	__u32 hash;
	__u32 marks;
	__u32 steps;
};

static long scan_step(__u32 index, void *arg)
{
	struct scan *s = arg;
	__u8 *p = s->data;
	__u32 off = s->off + index * 2;

	// the offset from the step's index, which the verifier does not know: the callback is verified
	// once, not once per iteration as it would be with an offset it tracks exactly
	if (off > 1500)
		return 1;
	p += off;
	if ((void *)(p + 2) > s->data_end)
		return 1;
	s->hash = (s->hash ^ ((p[0] << 8) | p[1])) * 16777619u;
	if (p[0] == 0xff)
		s->marks++;
	s->steps++;
	return 0;
}

SEC("xdp")
int xdp_loop_scan(struct xdp_md *ctx)
{
	struct scan s = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
		.off = 14,
		.hash = 2166136261u,
	};
	long n = bpf_loop(256, scan_step, &s, 0);
	__u32 k = 0;
	__u64 v = s.hash;

	bpf_map_update_elem(&scan_out, &k, &v, BPF_ANY);
	k = 1;
	v = (__u64)n;
	bpf_map_update_elem(&scan_out, &k, &v, BPF_ANY);
	k = 2;
	v = s.marks;
	bpf_map_update_elem(&scan_out, &k, &v, BPF_ANY);
	k = 3;
	v = s.steps;
	bpf_map_update_elem(&scan_out, &k, &v, BPF_ANY);
	return s.marks > 2 ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "GPL";
