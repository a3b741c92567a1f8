// Map-in-map as load balancers use it: per-CPU LRU connection tables in an ARRAY_OF_MAPS keyed by the
// CPU (Katran's lru_mapping), and per-destination counter arrays in a HASH_OF_MAPS keyed by the IPv4
// destination address, both filled at load from static 'values' initialisers. Each lookup goes two
// levels deep; the counters and connection entries are written through the inner maps.
#include "oracle_net.h"

struct conn_key {
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u32 proto;
};

struct conn_val {
	__u64 packets;
	__u32 backend;
	__u32 pad;
};

struct lru_inner {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16);
	__type(key, struct conn_key);
	__type(value, struct conn_val);
};

struct lru_inner lru_cpu0 SEC(".maps");
struct lru_inner lru_cpu1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct lru_inner);
} lru_mapping SEC(".maps") = {
	.values = { [0] = &lru_cpu0, [1] = &lru_cpu1 },
};

struct dst_counters {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct dst_counters ctr_b SEC(".maps");
struct dst_counters ctr_c SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct dst_counters);
} per_dst SEC(".maps") = {
	.values = { [0] = &ctr_b, [1] = &ctr_c },
};

// what the program saw: [0] outer lookup misses, [1] inner lookup misses, [2] last backend
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static __always_inline void bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&seen, &idx);

	if (v)
		*v += 1;
}

SEC("xdp")
int xdp_lb(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct udphdr *l4 = (void *)(iph + 1);
	if ((void *)(l4 + 1) > data_end)
		return XDP_PASS;

	// the connection table of this "CPU": chosen by the frame's last source address byte, so the test
	// reaches both tables and an empty slot without depending on the CPU it runs on
	__u32 cpu = bpf_ntohl(iph->saddr) & 3;
	void *lru = bpf_map_lookup_elem(&lru_mapping, &cpu);
	if (!lru) {
		bump(0);
		return XDP_DROP;
	}
	struct conn_key ck = {
		.saddr = iph->saddr, .daddr = iph->daddr,
		.sport = l4->source, .dport = l4->dest, .proto = iph->protocol,
	};
	struct conn_val *cv = bpf_map_lookup_elem(lru, &ck);
	if (cv) {
		cv->packets++;
	} else {
		struct conn_val nv = { .packets = 1, .backend = bpf_ntohs(l4->dest) & 0xff };
		bpf_map_update_elem(lru, &ck, &nv, BPF_NOEXIST);
		cv = bpf_map_lookup_elem(lru, &ck);
		if (!cv) {
			bump(1);
			return XDP_ABORTED;
		}
	}
	__u32 last = 2;
	__u64 *b = bpf_map_lookup_elem(&seen, &last);
	if (b)
		*b = cv->backend;

	// the destination's counters: slot 0 packets, slot 1 bytes, keyed by the last address byte
	__u32 dkey = bpf_ntohl(iph->daddr) & 0xff;
	dkey = dkey >= 2 ? dkey - 2 : 7;
	void *ctr = bpf_map_lookup_elem(&per_dst, &dkey);
	if (!ctr) {
		bump(0);
		return XDP_PASS;
	}
	__u32 k0 = 0, k1 = 1;
	__u64 *pk = bpf_map_lookup_elem(ctr, &k0);
	__u64 *by = bpf_map_lookup_elem(ctr, &k1);
	if (!pk || !by) {
		bump(1);
		return XDP_ABORTED;
	}
	__sync_fetch_and_add(pk, 1);
	*by += (__u64)(data_end - data);
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
