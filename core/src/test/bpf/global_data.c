// Global variables as XDP programs use them instead of maps: packet counters in .data, a
// configuration in .rodata (const volatile, set by the loader before load), scratch state in
// .bss, a custom .data section, and a trace_printk format in .rodata.str1.1 (a string literal).
#include "oracle_net.h"

const volatile __u16 blocked_port = 23;
const volatile __u32 max_len = 1500;
const char banner[] = "jxdp";

__u64 packets = 0;
__u64 bytes = 1000;
__u32 last_len;
__u16 last_proto;
__u64 dropped_big;
__u32 hist[8] SEC(".data.hist") = { 1, 2, 3, 4, 5, 6, 7, 8 };

static __always_inline __u16 l4_dport(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || iph->ihl != 5)
		return 0;
	if (iph->protocol != IPPROTO_TCP && iph->protocol != IPPROTO_UDP)
		return 0;
	struct udphdr *uh = (void *)(iph + 1);
	if ((void *)(uh + 1) > data_end)
		return 0;
	return bpf_ntohs(uh->dest);
}

SEC("xdp")
int xdp_globals(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 len = bpf_xdp_get_buff_len(ctx);

	packets++;
	bytes += len;
	last_len = len;
	hist[(len >> 7) & 7]++;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	last_proto = bpf_ntohs(eth->h_proto);
	bpf_trace_printk("len %u proto %x\n", sizeof("len %u proto %x\n"), len, last_proto);
	if (len > max_len) {
		__sync_fetch_and_add(&dropped_big, 1);
		return XDP_DROP;
	}
	__u16 port = l4_dport(data, data_end);
	if (port && port == blocked_port) {
		bpf_trace_printk("blocked %s port %d\n", sizeof("blocked %s port %d\n"), banner, port);
		return XDP_DROP;
	}
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
