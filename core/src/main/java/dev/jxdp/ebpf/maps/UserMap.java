package dev.jxdp.ebpf.maps;

/**
 * A map as user space sees it through the bpf syscall's element commands (BPF_MAP_LOOKUP_ELEM, UPDATE,
 * DELETE, GET_NEXT_KEY): what jxdp's own maps and the kernel engine's maps both offer, so that the public
 * API and test-run's JSON read either the same way. A per-CPU value is {@link #userCpus()} slots of the
 * value size rounded up to 8 bytes, as the kernel copies it.
 */
public interface UserMap {
    /** The value (every CPU's for a per-CPU map), or null when the key is absent. */
    byte[] userLookup(byte[] key);

    /** 0 or -errno. */
    int userUpdate(byte[] key, byte[] value, long flags);

    /** 0 or -errno. */
    int userDelete(byte[] key);

    /** The key after {@code key} (the first when null), or null at the end. */
    byte[] userNextKey(byte[] key);

    /** The CPUs a per-CPU value has a slot for. */
    int userCpus();
}
