// A connection tracker: 5-tuple keys (a struct with padding, zeroed as the verifier demands) in a
// hash, per-connection state advanced by TCP flags (SYN, SYN-ACK, ACK, FIN, RST deletes), reply
// direction found by swapping the tuple. Noinline helpers several calls deep, and a 256-byte
// payload fingerprint read through xdp_load_bytes into a large stack buffer.
#include "oracle_net.h"

struct tuple {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

enum { CT_NEW = 1, CT_SYN_SENT, CT_SYN_RECV, CT_ESTABLISHED, CT_FIN_WAIT, CT_UDP };

struct conn {
	__u64 packets;
	__u64 bytes;
	__u32 state;
	__u32 fingerprint;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32);
	__type(key, struct tuple);
	__type(value, struct conn);
} conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} ct_stats SEC(".maps");

enum { ST_NEW, ST_REPLY, ST_DELETED, ST_INVALID, ST_NOT_TRACKED, ST_FULL };

static __noinline void stat(__u32 k)
{
	__u64 *v = bpf_map_lookup_elem(&ct_stats, &k);

	if (v)
		*v += 1;
}

static __noinline __u32 fingerprint(struct xdp_md *ctx, __u32 off)
{
	__u8 buf[256];
	__u32 len = bpf_xdp_get_buff_len(ctx);
	__u32 n = 0, h = 2166136261u;

	if (off >= len)
		return 0;
	n = len - off;
	if (n > sizeof(buf))
		n = sizeof(buf);
	// 1..256 in a form the verifier can bound (off < len, so n >= 1)
	n = ((n - 1) & 0xff) + 1;
	if (bpf_xdp_load_bytes(ctx, off, buf, n))
		return 1;
	for (int i = 0; i < (int)sizeof(buf); i++) {
		if (i >= (int)n)
			break;
		h = (h ^ buf[i]) * 16777619u;
	}
	return h;
}

static __noinline __u32 next_state(__u32 state, __u8 flags, int reply)
{
	int syn = flags & 0x02, ack = flags & 0x10, fin = flags & 0x01;

	if (state == CT_SYN_SENT && reply && syn && ack)
		return CT_SYN_RECV;
	if (state == CT_SYN_RECV && !reply && ack && !syn)
		return CT_ESTABLISHED;
	if (state == CT_ESTABLISHED && fin)
		return CT_FIN_WAIT;
	return state;
}

static __noinline int track(struct xdp_md *ctx, struct tuple *t, __u8 tcp_flags, __u32 l4_off)
{
	struct tuple rev = {
		.saddr = t->daddr, .daddr = t->saddr, .sport = t->dport, .dport = t->sport, .proto = t->proto,
	};
	__u64 len = bpf_xdp_get_buff_len(ctx);
	struct conn *c = bpf_map_lookup_elem(&conns, t);
	int reply = 0;

	if (!c) {
		c = bpf_map_lookup_elem(&conns, &rev);
		reply = 1;
	}
	if (t->proto == IPPROTO_TCP && (tcp_flags & 0x04)) { /* RST */
		if (c && !bpf_map_delete_elem(&conns, reply ? &rev : t)) {
			stat(ST_DELETED);
			return XDP_PASS;
		}
		stat(ST_INVALID);
		return XDP_DROP;
	}
	if (!c) {
		if (t->proto == IPPROTO_TCP && (tcp_flags & 0x12) != 0x02) {
			stat(ST_INVALID);
			return XDP_DROP;
		}
		struct conn n = {
			.packets = 1, .bytes = len,
			.state = t->proto == IPPROTO_TCP ? CT_SYN_SENT : CT_UDP,
			.fingerprint = fingerprint(ctx, l4_off),
		};
		if (bpf_map_update_elem(&conns, t, &n, BPF_NOEXIST)) {
			stat(ST_FULL);
			return XDP_DROP;
		}
		stat(ST_NEW);
		return XDP_PASS;
	}
	c->packets++;
	c->bytes += len;
	if (t->proto == IPPROTO_TCP)
		c->state = next_state(c->state, tcp_flags, reply);
	if (reply)
		stat(ST_REPLY);
	return XDP_PASS;
}

SEC("xdp")
int xdp_conntrack(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct tuple t = {};
	__u8 flags = 0;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP)) {
		stat(ST_NOT_TRACKED);
		return XDP_PASS;
	}
	struct iphdr *iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end || iph->ihl < 5)
		return XDP_DROP;
	__u32 l4_off = sizeof(*eth) + iph->ihl * 4;
	t.saddr = iph->saddr;
	t.daddr = iph->daddr;
	t.proto = iph->protocol;
	if (iph->protocol == IPPROTO_TCP) {
		struct tcphdr *th = (void *)iph + iph->ihl * 4;
		if ((void *)(th + 1) > data_end)
			return XDP_DROP;
		t.sport = th->source;
		t.dport = th->dest;
		flags = ((__u8 *)th)[13];
	} else if (iph->protocol == IPPROTO_UDP) {
		struct udphdr *uh = (void *)iph + iph->ihl * 4;
		if ((void *)(uh + 1) > data_end)
			return XDP_DROP;
		t.sport = uh->source;
		t.dport = uh->dest;
	} else {
		stat(ST_NOT_TRACKED);
		return XDP_PASS;
	}
	return track(ctx, &t, flags, l4_off);
}

char _license[] SEC("license") = "GPL";
