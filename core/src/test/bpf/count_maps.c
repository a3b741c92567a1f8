// Per-protocol packet and byte counters, the same count kept in every kind of array and hash map, so
// the differential test sees each map type's update path (atomic adds for shared maps, plain adds for
// per-CPU ones, insert-on-miss for hashes). A second program fills a tiny hash to see -E2BIG.
#include "oracle_net.h"

struct counter {
	__u64 packets;
	__u64 bytes;
};

#define COUNTER_MAP(NAME, TYPE, N)                  \
	struct {                                    \
		__uint(type, TYPE);                 \
		__uint(max_entries, N);             \
		__type(key, __u32);                 \
		__type(value, struct counter);      \
	} NAME SEC(".maps")

COUNTER_MAP(cnt_array, BPF_MAP_TYPE_ARRAY, 64);
COUNTER_MAP(cnt_percpu_array, BPF_MAP_TYPE_PERCPU_ARRAY, 8);
COUNTER_MAP(cnt_hash, BPF_MAP_TYPE_HASH, 64);
COUNTER_MAP(cnt_percpu_hash, BPF_MAP_TYPE_PERCPU_HASH, 64);
COUNTER_MAP(cnt_lru_hash, BPF_MAP_TYPE_LRU_HASH, 64);
COUNTER_MAP(cnt_lru_percpu_hash, BPF_MAP_TYPE_LRU_PERCPU_HASH, 64);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} tiny_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __s64);
} update_rc SEC(".maps");

// Protocol class: 0 non-IP, 1 IPv4 other, 2 IPv6 other, else the L4 protocol number.
static __always_inline __u32 classify(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = (void *)(eth + 1);
		if ((void *)(iph + 1) > data_end)
			return 1;
		if (iph->protocol == IPPROTO_TCP || iph->protocol == IPPROTO_UDP || iph->protocol == IPPROTO_ICMP)
			return iph->protocol;
		return 1;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return 2;
		if (ip6->nexthdr == IPPROTO_TCP || ip6->nexthdr == IPPROTO_UDP || ip6->nexthdr == IPPROTO_ICMPV6)
			return ip6->nexthdr;
		return 2;
	}
	return 0;
}

static __always_inline void count_shared(void *map, __u32 key, __u64 len)
{
	struct counter *c = bpf_map_lookup_elem(map, &key);

	if (c) {
		__sync_fetch_and_add(&c->packets, 1);
		__sync_fetch_and_add(&c->bytes, len);
		return;
	}
	struct counter init = { .packets = 1, .bytes = len };
	bpf_map_update_elem(map, &key, &init, BPF_NOEXIST);
}

static __always_inline void count_percpu(void *map, __u32 key, __u64 len)
{
	struct counter *c = bpf_map_lookup_elem(map, &key);

	if (c) {
		c->packets += 1;
		c->bytes += len;
		return;
	}
	struct counter init = { .packets = 1, .bytes = len };
	bpf_map_update_elem(map, &key, &init, BPF_NOEXIST);
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 len = data_end - data;
	__u32 key = classify(data, data_end);

	count_shared(&cnt_array, key, len);
	count_percpu(&cnt_percpu_array, key & 7, len);
	count_shared(&cnt_hash, key, len);
	count_percpu(&cnt_percpu_hash, key, len);
	count_shared(&cnt_lru_hash, key, len);
	count_percpu(&cnt_lru_percpu_hash, key, len);
	return key == 0 ? XDP_DROP : XDP_PASS;
}

// Inserts keys base..base+3 into a two-entry hash with the flags named by the frame's byte 14, then
// deletes key base+1 and inserts it again: the return codes land in update_rc.
SEC("xdp")
int xdp_hash_full(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;

	if ((void *)(p + 16) > data_end)
		return XDP_ABORTED;
	__u64 flags = p[14] & 3;
	__u32 base = p[15];
	for (__u32 i = 0; i < 4; i++) {
		__u32 key = base + i;
		__u64 val = 100 + i;
		__s64 rc = bpf_map_update_elem(&tiny_hash, &key, &val, flags);
		__u32 slot = i;
		bpf_map_update_elem(&update_rc, &slot, &rc, BPF_ANY);
	}
	__u32 k = base + 1;
	__s64 rc = bpf_map_delete_elem(&tiny_hash, &k);
	__u32 slot = 4;
	bpf_map_update_elem(&update_rc, &slot, &rc, BPF_ANY);
	__u64 val = 7;
	rc = bpf_map_update_elem(&tiny_hash, &k, &val, BPF_NOEXIST);
	slot = 5;
	bpf_map_update_elem(&update_rc, &slot, &rc, BPF_ANY);
	rc = bpf_map_delete_elem(&tiny_hash, &k) + bpf_map_delete_elem(&tiny_hash, &k) * 100;
	slot = 6;
	bpf_map_update_elem(&update_rc, &slot, &rc, BPF_ANY);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
