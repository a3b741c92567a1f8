// Return codes of the smaller helpers, each stored in res[i]: trace_printk's byte counts and -EINVALs,
// redirect / redirect_map flag handling, bpf_loop limits, xdp_load/store_bytes bounds, get_buff_len,
// for_each_map_elem counts. Run on a 64-byte frame.
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 40);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, __u64);
} walk SEC(".maps");

static __always_inline void put(__u32 i, __s64 v)
{
	bpf_map_update_elem(&res, &i, &v, 0);
}

static int count_up(__u32 index, void *ctx)
{
	*(__u64 *)ctx += index;
	return 0;
}

static int stop_at_2(__u32 index, void *ctx)
{
	return index == 2;
}

static long visit_all(void *map, __u32 *key, __u64 *val, void *ctx)
{
	*val = *key * 10;
	return 0;
}

static long visit_stop(void *map, __u32 *key, __u64 *val, void *ctx)
{
	return *key == 1;
}

SEC("xdp")
int misc(struct xdp_md *ctx)
{
	static const char f0[] = "hello\n";
	static const char f1[] = "%d %u %x\n";
	static const char f2[] = "%lld %llx %lu\n";
	static const char f3[] = "[%5d|%-5d|%05d]\n";
	static const char f4[] = "%s=%c %%\n";
	static const char f5[] = "bad %q\n";
	static const char f6[] = "%d%d%d%d\n";
	static const char f7[] = "%X %ld %i\n";
	static const char str[] = "jxdp";
	__u64 sum = 0;
	char buf[8] = {};

	put(0, bpf_trace_printk(f0, sizeof(f0)));
	put(1, bpf_trace_printk(f1, sizeof(f1), -5, -5, 255));
	put(2, bpf_trace_printk(f2, sizeof(f2), -1LL, -1LL, 12345678901ULL));
	put(3, bpf_trace_printk(f3, sizeof(f3), 42, -7, -42));
	put(4, bpf_trace_printk(f4, sizeof(f4), str, 'x'));
	put(5, bpf_trace_printk(f5, sizeof(f5), 1));
	put(6, bpf_trace_printk(f6, sizeof(f6), 1, 2, 3));
	put(7, bpf_trace_printk(f7, sizeof(f7), 0xabcdef, -3000000000LL, 0x100000001LL));

	put(10, bpf_redirect(5, 0));
	put(11, bpf_redirect(5, 1));
	put(12, bpf_redirect_map(&devs, 1, XDP_PASS));
	put(13, bpf_redirect_map(&devs, 1, XDP_DROP));
	put(14, bpf_redirect_map(&devs, 1, 0x20));
	put(15, bpf_redirect_map(&devs, 1, BPF_F_BROADCAST));
	put(16, bpf_redirect_map(&devs, 1, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS));
	put(17, bpf_redirect_map(&cpus, 1, XDP_TX));
	put(18, bpf_redirect_map(&cpus, 1, BPF_F_BROADCAST));
	put(19, bpf_redirect_map(&devs, 7, XDP_TX | 4));

	put(20, bpf_loop(5, count_up, &sum, 0));
	put(21, sum);
	put(22, bpf_loop(10, stop_at_2, &sum, 0));
	put(23, bpf_loop(5, count_up, &sum, 1));
	put(24, bpf_loop((1 << 23) + 1, count_up, &sum, 0));
	put(25, bpf_loop(0, count_up, &sum, 0));

	put(26, bpf_xdp_get_buff_len(ctx));
	put(27, bpf_xdp_load_bytes(ctx, 0, buf, 4));
	put(28, bpf_xdp_load_bytes(ctx, 61, buf, 4));
	put(29, bpf_xdp_load_bytes(ctx, 0x10000, buf, 1));
	put(30, bpf_xdp_load_bytes(ctx, 60, buf, 4));
	put(31, bpf_xdp_store_bytes(ctx, 8, buf, 4));
	put(32, bpf_xdp_store_bytes(ctx, 62, buf, 4));
	put(33, *(__u32 *)buf);

	put(34, bpf_for_each_map_elem(&walk, visit_all, 0, 0));
	put(35, bpf_for_each_map_elem(&walk, visit_stop, 0, 0));
	put(36, bpf_for_each_map_elem(&walk, visit_all, 0, 1));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
