// bpf_strtol and bpf_strtoul on strings in .rodata: res[2i] is what case i returned (bytes consumed or
// -errno), res[2i + 1] the number written (0 after any error; the output starts as 0x5555 each time).
#include <linux/bpf.h>
#include <bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __s64);
} res SEC(".maps");

static __always_inline void put(__u32 i, __s64 v)
{
	bpf_map_update_elem(&res, &i, &v, 0);
}

#define L(i, s, base) do { \
	static const char str[] = s; \
	long out = 0x5555; \
	put(2 * (i), bpf_strtol(str, sizeof(str) - 1, base, &out)); \
	put(2 * (i) + 1, out); \
} while (0)

#define U(i, s, base) do { \
	static const char str[] = s; \
	unsigned long out = 0x5555; \
	put(2 * (i), bpf_strtoul(str, sizeof(str) - 1, base, &out)); \
	put(2 * (i) + 1, out); \
} while (0)

SEC("xdp")
int strtol_cases(struct xdp_md *ctx)
{
	L(0, "123", 10);
	L(1, "  -42xyz", 0);
	L(2, "0x1F", 0);
	L(3, "0x1F", 16);
	L(4, "0777", 0);
	L(5, "0778", 8);
	L(6, "0x", 0);
	L(7, "0x", 16);
	L(8, "+5", 10);
	L(9, "   ", 10);
	L(10, "-", 10);
	L(11, "12", 7);
	L(12, "12", 10 | 0x20);
	L(13, "9223372036854775807", 10);
	L(14, "9223372036854775808", 10);
	L(15, "-9223372036854775808", 10);
	L(16, "-9223372036854775809", 10);
	U(17, "18446744073709551615", 10);
	U(18, "18446744073709551616", 10);
	U(19, "-1", 10);
	L(20, "\t\n\v\f\r 7", 10);
	L(21, "\xa0" "5", 10);
	L(22, "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "0000000000" "5", 10);
	L(23, "12\0" "34", 10);
	U(24, "0X1fz", 0);
	L(25, "FFFFFFFFFFFFFFFFF", 16);
	L(26, "0xg", 0);
	L(27, "abc", 16);
	U(28, "-0", 10);
	L(29, "-0", 10);
	L(30, "7fffffffffffffff", 16);
	U(31, "ffffffffffffffff", 16);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
