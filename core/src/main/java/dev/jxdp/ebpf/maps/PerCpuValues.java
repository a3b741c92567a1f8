package dev.jxdp.ebpf.maps;

/** The syscall's per-CPU value layout: one {@code round_up(value_size, 8)} slot per possible CPU. */
final class PerCpuValues {
    private PerCpuValues() {}

    /**
     * A user value in the full per-CPU layout ({@code copies * stride} bytes): either already so, as
     * BPF_MAP_UPDATE_ELEM takes it, or one {@code value_size} value copied to every CPU (what bpftool does
     * with a single value; a jxdp convenience for --map-init).
     */
    static byte[] expand(BaseMap map, byte[] value, int copies, int stride) {
        int vs = map.valueSize();
        if (value != null && value.length == vs && vs != copies * stride) {
            byte[] all = new byte[copies * stride];
            for (int c = 0; c < copies; c++) {
                System.arraycopy(value, 0, all, c * stride, vs);
            }
            return all;
        }
        map.checkLength("value", value, copies * stride);
        return value;
    }
}
