package dev.jxdp.ebpf.maps;

/**
 * bpf_fd_array_map_update_elem()'s answer to a byte update from user space of an fd array (PROG_ARRAY,
 * PERF_EVENT_ARRAY): flags other than BPF_ANY are -EINVAL, an index out of range -E2BIG, and then the
 * value would be an fd of the kind the map holds, which jxdp does not have: {@code noFd}, the kernel's
 * answer to an fd of the wrong kind. jxdp fills those slots through the maps' own methods instead.
 */
final class FdArrayUpdate {
    private FdArrayUpdate() {}

    static int answer(long index, int slots, long flags, int noFd) {
        if (flags != MapFlags.BPF_ANY) {
            return -Errno.EINVAL;
        }
        if (index >= slots) {
            return -Errno.E2BIG;
        }
        return noFd;
    }
}
