// Shared by jxdp's built-in benchmark programs (jxdp bench): headers and the two packet touches
// xdp-bench's programs make, reading the Ethernet header and swapping the MAC addresses.
#ifndef JXDP_BENCH_H
#define JXDP_BENCH_H
// <linux/ip.h> and friends reach glibc headers; under -target bpf glibc would pick its 32-bit stubs
// (gnu/stubs-32.h), absent without multilib. BPF is a 64-bit target: say so.
#if defined(__bpf__) && !defined(__x86_64__) && !defined(__aarch64__)
#define __x86_64__ 1
#endif
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>

// Reads the frame's Ethernet header, as xdp-bench's read-data operation does, so every program
// touches the packet the driver wrote: 0, or -1 when the frame is shorter than the header or is not
// Ethernet II (an 802.3 length in the type field).
static __always_inline int read_eth(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return -1;
	return bpf_ntohs(eth->h_proto) < ETH_P_802_3_MIN ? -1 : 0;
}

// Swaps destination and source MAC, so a frame sent back out (XDP_TX) or on (XDP_REDIRECT) is
// addressed to where it came from; the caller has checked the Ethernet header is in the frame.
static __always_inline void swap_macs(void *data)
{
	__u16 *p = data;
	__u16 t0 = p[0], t1 = p[1], t2 = p[2];

	p[0] = p[3];
	p[1] = p[4];
	p[2] = p[5];
	p[3] = t0;
	p[4] = t1;
	p[5] = t2;
}
#endif
