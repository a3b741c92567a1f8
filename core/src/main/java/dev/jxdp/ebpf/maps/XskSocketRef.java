package dev.jxdp.ebpf.maps;

/**
 * An AF_XDP socket as an XSKMAP slot holds it (the kernel's struct xdp_sock): what a program's lookup sees
 * of it is its queue id; the datapath receives frames redirected to the slot into it.
 */
public interface XskSocketRef {

    /** The RX queue the socket is bound to (xdp_sock.queue_id). */
    int queueId();
}
