package dev.jxdp.ebpf.maps;

/** BPF_MAP_GET_NEXT_KEY for index-keyed maps (array_map_get_next_key() and its devmap/cpumap/xskmap twins). */
final class ArrayKeys {
    private ArrayKeys() {}

    /** The index after {@code index} as a 4-byte key; a missing (-1) or out-of-range index restarts at 0. */
    static byte[] next(BpfMap map, long index, long max) {
        long next;
        if (index < 0 || index >= max) {
            next = 0;
        } else if (index == max - 1) {
            return null;
        } else {
            next = index + 1;
        }
        return u32(next);
    }

    static byte[] u32(long v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
