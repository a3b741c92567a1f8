// bpf_xdp_load_bytes / bpf_xdp_store_bytes / bpf_xdp_get_buff_len with offsets and lengths taken
// from the frame, so cases probe in-range, edge and out-of-range accesses; return codes and the
// bytes read land in ls_out.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __s64);
} ls_out SEC(".maps");

static __always_inline void out(__u32 k, __s64 v)
{
	bpf_map_update_elem(&ls_out, &k, &v, BPF_ANY);
}

// Frame bytes 14..15: offset (big-endian), byte 16: length 1..8 (masked). Loads len bytes at
// offset, stores them byte-reversed at offset+1, reports both codes and the loaded word.
SEC("xdp")
int xdp_load_store(struct xdp_md *ctx)
{
	__u8 hdr[3];
	__u8 buf[8] = {};
	__u8 rev[8] = {};

	if (bpf_xdp_load_bytes(ctx, 14, hdr, 3))
		return XDP_DROP;
	__u32 off = (hdr[0] << 8) | hdr[1];
	__u32 len = (hdr[2] & 7) + 1;
	__s64 rc = bpf_xdp_load_bytes(ctx, off, buf, len);
	out(0, rc);
	__u64 word = 0;
	for (int i = 0; i < 8; i++) {
		word = (word << 8) | buf[i];
		rev[i] = buf[7 - i];
	}
	out(1, word);
	rc = bpf_xdp_store_bytes(ctx, off + 1, rev + (8 - len), len);
	out(2, rc);
	out(3, bpf_xdp_get_buff_len(ctx));
	return rc ? XDP_ABORTED : XDP_TX;
}

char _license[] SEC("license") = "GPL";
