/* jxdp's extension helpers for XDP programs, declared as libbpf's bpf_helper_defs.h declares the
 * kernel's. The kernel has none of them: an object calling one loads and runs in jxdp only (the kernel's
 * verifier refuses it with "invalid func unknown#65536").
 *
 * bpf_redirect_xsk (helper id 0x10000) and the action XDP_REDIRECT_XSK (5) follow the unmerged RFC
 * "xsk: add struct xdp_sock to netdev_rx_queue / bpf: add bpf_redirect_xsk helper and XDP_REDIRECT_XSK
 * action". See docs/xsk.md.
 */
#ifndef JXDP_HELPERS_H
#define JXDP_HELPERS_H

#include <linux/types.h>

/* The action bpf_redirect_xsk returns when the frame goes straight to the queue's AF_XDP socket
 * (after XDP_REDIRECT, 4, in enum xdp_action). */
#define XDP_REDIRECT_XSK 5

/*
 * bpf_redirect_xsk
 *
 *	When map is an XSKMAP whose slot key holds the AF_XDP socket that is the only one bound to the RX
 *	queue the program runs on, and flags holds an action only (no bit beyond XDP_ABORTED..XDP_TX),
 *	returns XDP_REDIRECT_XSK: the driver puts the frame into that socket without the redirect info.
 *	Otherwise does what bpf_redirect_map(map, key, flags) does and returns what it returns. The verifier
 *	takes an XSKMAP only.
 *
 * Returns
 *	XDP_REDIRECT_XSK, XDP_REDIRECT, or the action in flags' low bits when the slot is empty.
 */
static long (* const bpf_redirect_xsk)(void *ctx, void *map, __u32 key, __u64 flags) = (void *) 0x10000;

#endif /* JXDP_HELPERS_H */
