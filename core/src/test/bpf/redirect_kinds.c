// Every way an XDP program hands a frame on: bpf_redirect() to an ifindex, bpf_redirect_map() into a
// DEVMAP, a DEVMAP_HASH, a CPUMAP and an XSKMAP, hit or missed, with the default action in the
// flags' low bits. Byte 14 of the frame picks the way, byte 15 the key, byte 16 the flags. Also
// records the xdp_md fields BPF_PROG_TEST_RUN fills in (ingress_ifindex, rx_queue_index).
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ports_by_id SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static __always_inline void record(__u32 k, __u64 v)
{
	bpf_map_update_elem(&seen, &k, &v, BPF_ANY);
}

SEC("xdp")
int xdp_redirect_kinds(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	record(0, ctx->ingress_ifindex);
	record(1, ctx->rx_queue_index);
	if ((void *)(p + 17) > data_end)
		return XDP_PASS;
	__u32 key = p[15];
	__u64 flags = p[16];
	long rc;

	switch (p[14]) {
	case 0:
		rc = bpf_redirect(key, flags);
		break;
	case 1:
		rc = bpf_redirect_map(&ports, key, flags);
		break;
	case 2:
		rc = bpf_redirect_map(&ports_by_id, key, flags);
		break;
	case 3:
		rc = bpf_redirect_map(&cpus, key, flags);
		break;
	case 4:
		rc = bpf_redirect_map(&sockets, key, flags);
		break;
	default:
		return XDP_DROP;
	}
	record(2, rc);
	// The verdict is what the helper answered: a program that ignores it and returns XDP_REDIRECT
	// after a miss is a bug the kernel turns into a drop.
	return rc;
}

char _license[] SEC("license") = "GPL";
