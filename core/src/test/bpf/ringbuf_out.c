// Sampling to user space: bpf_ringbuf_output() of a small record (length, protocol, the first 16
// bytes), and bpf_ringbuf_reserve/submit/discard. The ring itself is not dumped by the oracle, so
// the return codes and a count of records land in rb_stats.
#include "oracle_net.h"

struct sample {
	__u32 len;
	__u16 proto;
	__u16 flags;
	__u8 head[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} rb_stats SEC(".maps");

static __always_inline void add(__u32 k, __s64 v)
{
	__s64 *p = bpf_map_lookup_elem(&rb_stats, &k);

	if (p)
		__sync_fetch_and_add(p, v);
}

SEC("xdp")
int xdp_sample(struct xdp_md *ctx)
{
	struct sample s = {};

	s.len = bpf_xdp_get_buff_len(ctx);
	if (bpf_xdp_load_bytes(ctx, 0, s.head, 16) == 0) {
		s.proto = (s.head[12] << 8) | s.head[13];
		s.flags = 1;
	}
	long rc = bpf_ringbuf_output(&samples, &s, sizeof(s), 0);
	add(0, rc == 0);
	add(1, rc);

	struct sample *r = bpf_ringbuf_reserve(&samples, sizeof(*r), 0);
	if (!r) {
		add(2, 1000);
		return XDP_PASS;
	}
	*r = s;
	if (s.proto == ETH_P_IP) {
		bpf_ringbuf_submit(r, 0);
		add(2, 1);
	} else {
		bpf_ringbuf_discard(r, 0);
		add(3, 1);
	}
	return s.flags ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
