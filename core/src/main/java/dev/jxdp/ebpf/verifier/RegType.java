package dev.jxdp.ebpf.verifier;

/** What a register holds, with the kernel's reg_type_str() names used in its messages. */
enum RegType {
    NOT_INIT("?"),
    SCALAR("scalar"),
    PTR_TO_CTX("ctx"),
    CONST_PTR_TO_MAP("map_ptr"),
    /** a map-in-map lookup's result: the inner map (typed by the outer map's template) or NULL */
    CONST_PTR_TO_MAP_OR_NULL("map_ptr_or_null"),
    PTR_TO_MAP_VALUE("map_value"),
    PTR_TO_MAP_VALUE_OR_NULL("map_value_or_null"),
    PTR_TO_STACK("fp"),
    PTR_TO_PACKET("pkt"),
    PTR_TO_PACKET_META("pkt_meta"),
    PTR_TO_PACKET_END("pkt_end"),
    PTR_TO_MAP_KEY("map_key"),
    PTR_TO_MEM("ringbuf_mem"),
    PTR_TO_MEM_OR_NULL("ringbuf_mem_or_null"),
    PTR_TO_FUNC("func"),
    /** an AF_XDP socket an XSKMAP lookup found: only its queue_id (u32 at 0) may be read */
    PTR_TO_XDP_SOCK("xdp_sock"),
    PTR_TO_XDP_SOCK_OR_NULL("xdp_sock_or_null");

    final String kernelName;

    RegType(String kernelName) {
        this.kernelName = kernelName;
    }

    boolean isPacket() {
        return this == PTR_TO_PACKET || this == PTR_TO_PACKET_META;
    }

    boolean maybeNull() {
        return this == PTR_TO_MAP_VALUE_OR_NULL || this == CONST_PTR_TO_MAP_OR_NULL || this == PTR_TO_MEM_OR_NULL || this == PTR_TO_XDP_SOCK_OR_NULL;
    }
}
