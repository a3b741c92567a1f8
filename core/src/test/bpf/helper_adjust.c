// bpf_xdp_adjust_head/tail/meta driven by the packet: u32 op, s32 offset at the front of the frame.
// op 0 head, 1 tail, 2 meta, 3 meta(-8) then head. The helper's return lands in res[0].
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

SEC("xdp")
int adjust(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 k = 0;
	__s64 r;

	if (data + 8 > end)
		return XDP_ABORTED;
	__u32 op = *(__u32 *)data;
	__s32 off = *(__s32 *)(data + 4);
	if (op == 0)
		r = bpf_xdp_adjust_head(ctx, off);
	else if (op == 1)
		r = bpf_xdp_adjust_tail(ctx, off);
	else if (op == 2)
		r = bpf_xdp_adjust_meta(ctx, off);
	else {
		r = bpf_xdp_adjust_meta(ctx, -8);
		if (r == 0) {
			void *meta = (void *)(long)ctx->data_meta;
			data = (void *)(long)ctx->data;
			if (meta + 8 <= data)
				*(__u64 *)meta = 0x1122334455667788ULL;
			r = bpf_xdp_adjust_head(ctx, off);
		}
	}
	bpf_map_update_elem(&res, &k, &r, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
