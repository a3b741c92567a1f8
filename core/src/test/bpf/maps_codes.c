// Return codes of map helpers as the kernel gives them, one per slot of `rc`, for the map tests to
// compare with (MapsKernelCodesTest). Each slot is commented with the call it records.
#include "oracle_net.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} arr SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} hash SEC(".maps");

struct lpm_v4 {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lpm_v4);
	__type(value, __u32);
} lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 32);
	__type(key, __u32);
	__type(value, __s64);
} rc SEC(".maps");

static __always_inline void put(__u32 slot, __s64 v)
{
	bpf_map_update_elem(&rc, &slot, &v, BPF_ANY);
}

static __always_inline struct lpm_v4 v4(__u32 len, __u8 a, __u8 b, __u8 c, __u8 d)
{
	struct lpm_v4 k = {.prefixlen = len, .addr = {a, b, c, d}};
	return k;
}

SEC("xdp")
int maps_codes(struct xdp_md *ctx)
{
	__u64 v = 1;
	__u32 k;
	volatile __u64 lock = BPF_F_LOCK; // not a constant the compiler folds

	k = 9;
	put(0, bpf_map_update_elem(&arr, &k, &v, lock));	// array: out of range with F_LOCK
	k = 1;
	put(1, bpf_map_update_elem(&arr, &k, &v, lock));	// array: in range with F_LOCK
	put(2, bpf_map_update_elem(&arr, &k, &v, BPF_NOEXIST));	// array: NOEXIST
	put(3, bpf_map_delete_elem(&arr, &k));			// array: delete
	put(4, bpf_map_update_elem(&hash, &k, &v, lock));	// hash: F_LOCK
	put(5, bpf_map_update_elem(&hash, &k, &v, BPF_EXIST));	// hash: EXIST on missing
	put(6, bpf_map_update_elem(&hash, &k, &v, BPF_ANY));
	k = 2;
	put(7, bpf_map_update_elem(&hash, &k, &v, BPF_ANY));
	k = 3;
	put(8, bpf_map_update_elem(&hash, &k, &v, BPF_ANY));	// hash: full
	k = 2;
	put(9, bpf_map_update_elem(&hash, &k, &v, BPF_ANY));	// hash: existing key while full
	k = 7;
	put(10, bpf_map_delete_elem(&hash, &k));		// hash: delete missing

	struct lpm_v4 key = v4(16, 10, 1, 0, 0);
	__u32 val = 16;
	put(11, bpf_map_update_elem(&lpm, &key, &val, BPF_EXIST));	// lpm: EXIST on missing
	put(12, bpf_map_update_elem(&lpm, &key, &val, BPF_ANY));
	key = v4(24, 10, 1, 2, 0);
	val = 24;
	put(13, bpf_map_update_elem(&lpm, &key, &val, BPF_NOEXIST));
	key = v4(8, 10, 0, 0, 0);
	put(14, bpf_map_update_elem(&lpm, &key, &val, BPF_ANY));	// lpm: full
	key = v4(16, 10, 1, 9, 9);
	val = 160;
	put(15, bpf_map_update_elem(&lpm, &key, &val, BPF_ANY));	// lpm: in place while full
	key = v4(20, 10, 1, 2, 3);
	__u32 *found = bpf_map_lookup_elem(&lpm, &key);
	put(16, found ? *found : -1);				// lpm: lookup capped by the key's prefixlen
	key = v4(32, 10, 1, 2, 3);
	found = bpf_map_lookup_elem(&lpm, &key);
	put(17, found ? *found : -1);
	key = v4(33, 10, 1, 2, 3);
	put(18, bpf_map_update_elem(&lpm, &key, &val, BPF_ANY));	// lpm: prefixlen too long
	key = v4(17, 10, 1, 0, 0);
	put(19, bpf_map_delete_elem(&lpm, &key));		// lpm: delete inexact

	char buf[16] = {1, 2, 3};
	put(20, bpf_ringbuf_output(&ring, buf, 10, 0));
	put(21, bpf_ringbuf_output(&ring, buf, 10, 4));		// ringbuf: bad flags
	put(22, bpf_ringbuf_query(&ring, BPF_RB_AVAIL_DATA));
	put(23, bpf_ringbuf_query(&ring, BPF_RB_PROD_POS));
	put(24, bpf_ringbuf_query(&ring, BPF_RB_RING_SIZE));
	put(25, bpf_ringbuf_query(&ring, 7));
	int n = 0;
	for (int i = 0; i < 400; i++) {
		if (bpf_ringbuf_output(&ring, buf, 10, 0) != 0)
			break;
		n++;
	}
	put(26, n);						// ringbuf: records until full
	put(27, bpf_ringbuf_output(&ring, buf, 10, 0));		// ringbuf: full
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
