/**
 * AF_XDP in userspace: the UMEM and the four rings (fill, completion, RX, TX) with the kernel's layout and
 * protocol, so that the same classes drive jxdp's own rings and, later, the kernel's mmapped ones.
 *
 * <ul>
 * <li>{@link dev.jxdp.xsk.Umem}: the packet buffer, one off-heap region of chunks, checked as
 *     {@code xdp_umem_reg()} checks it, with the descriptor checks of {@code xp_validate_desc()}.</li>
 * <li>{@link dev.jxdp.xsk.XskRing}: one ring's shared memory ({@code struct xdp_ring} followed by its
 *     entries), whose two ends are an {@link dev.jxdp.xsk.XskProdRing} and an
 *     {@link dev.jxdp.xsk.XskConsRing}, libxdp's {@code xsk_ring_prod} and {@code xsk_ring_cons}.</li>
 * <li>{@link dev.jxdp.xsk.XdpRingOffsets}, {@link dev.jxdp.xsk.XdpMmapOffsets},
 *     {@link dev.jxdp.xsk.XdpDescLayout}: the uapi layouts of {@code <linux/if_xdp.h>}.</li>
 * <li>{@link dev.jxdp.xsk.XdpSock}: a socket, its kernel side run by the datapath: frames redirected to its
 *     XSKMAP slot copied into fill-ring chunks (copy mode) or received into them in place (zero-copy, the
 *     queue's page pool over the UMEM) as RX descriptors, its TX ring sent by the bound queue's worker with
 *     completions; several sockets on one UMEM with {@code XdpSock.shared}.</li>
 * <li>{@link dev.jxdp.xsk.XskRxDrop}, {@link dev.jxdp.xsk.XskTxOnly}, {@link dev.jxdp.xsk.XskL2Fwd}: xdpsock's
 *     three applications, the user side of {@code jxdp xsk}.</li>
 * </ul>
 *
 * <p>See docs/xsk.md for the protocol and what is not built yet.
 */
package dev.jxdp.xsk;
