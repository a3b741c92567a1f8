// LRU eviction as the kernel does it: fill an 8-entry LRU hash (common LRU and BPF_F_NO_COMMON_LRU),
// mark key 1 used, insert two more keys, update an existing key while full, then record which keys
// are still present (rc[k] for the common map, rc[16 + k] for the per-CPU-list one; 1 present, 0 gone)
// and the update return codes (rc[32 + i], rc[48 + i]).
#include "oracle_net.h"

#define LRU(NAME, FLAGS)                            \
	struct {                                    \
		__uint(type, BPF_MAP_TYPE_LRU_HASH);\
		__uint(max_entries, 8);             \
		__uint(map_flags, FLAGS);           \
		__type(key, __u32);                 \
		__type(value, __u64);               \
	} NAME SEC(".maps")

LRU(lru_common, 0);
LRU(lru_percpu_list, BPF_F_NO_COMMON_LRU);

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __s64);
} rc SEC(".maps");

static __always_inline void put(__u32 slot, __s64 v)
{
	bpf_map_update_elem(&rc, &slot, &v, BPF_ANY);
}

static __always_inline void exercise(void *map, __u32 base)
{
	__u32 i = 0, key;
	__u64 v;

	for (__u32 k = 1; k <= 8; k++) {
		v = k;
		key = k;
		put(base + 16 + i++, bpf_map_update_elem(map, &key, &v, BPF_ANY));
	}
	__u32 one = 1;
	bpf_map_lookup_elem(map, &one);
	for (__u32 k = 9; k <= 10; k++) {
		v = k;
		key = k;
		put(base + 16 + i++, bpf_map_update_elem(map, &key, &v, BPF_ANY));
	}
	__u32 two = 2;
	v = 20;
	put(base + 16 + i++, bpf_map_update_elem(map, &two, &v, BPF_EXIST));
	for (__u32 k = 0; k <= 10; k++) {
		key = k;
		put(base + k, bpf_map_lookup_elem(map, &key) != 0);
	}
}

SEC("xdp")
int maps_lru(struct xdp_md *ctx)
{
	exercise(&lru_common, 0);
	exercise(&lru_percpu_list, 32);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
