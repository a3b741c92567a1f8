// Headers shared by the differential-test programs (KernelDifferentialTest's recordings).
#ifndef ORACLE_NET_H
#define ORACLE_NET_H
// <linux/icmp.h> reaches glibc's <sys/socket.h> through <linux/if.h>; under -target bpf glibc would
// pick its 32-bit stubs (gnu/stubs-32.h), absent without multilib. BPF is a 64-bit target: say so.
#if defined(__bpf__) && !defined(__x86_64__) && !defined(__aarch64__)
#define __x86_64__ 1
#endif
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <linux/icmp.h>

struct vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};
#endif
