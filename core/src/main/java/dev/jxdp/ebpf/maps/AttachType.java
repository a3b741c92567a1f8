package dev.jxdp.ebpf.maps;

/**
 * A program's expected_attach_type (enum bpf_attach_type), for the XDP values: where the program may run.
 * libbpf sets it from the ELF section; the kernel then lets only BPF_XDP_DEVMAP programs into DEVMAP
 * entries (and read egress_ifindex), and only BPF_XDP_CPUMAP programs into CPUMAP entries.
 */
public enum AttachType {
    /** A section libbpf gives no XDP attach type (a program jxdp does not run as XDP). */
    NONE(-1),
    /** BPF_XDP_DEVMAP: SEC("xdp/devmap"), SEC("xdp.frags/devmap"). */
    XDP_DEVMAP(33),
    /** BPF_XDP_CPUMAP: SEC("xdp/cpumap"), SEC("xdp.frags/cpumap"). */
    XDP_CPUMAP(35),
    /** BPF_XDP: SEC("xdp"), SEC("xdp.frags"), a device's own program. */
    XDP(37);

    private final int id;

    AttachType(int id) {
        this.id = id;
    }

    /** The value in the kernel's enum bpf_attach_type (uapi/linux/bpf.h); -1 for {@link #NONE}. */
    public int id() { return id; }
}
