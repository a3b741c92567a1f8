package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

/**
 * BPF_MAP_TYPE_XSKMAP (net/xdp/xskmap.c): slots of AF_XDP sockets, the targets of {@code bpf_redirect_map}
 * to user space. jxdp has no sockets in maps yet, so every slot stays empty: a user update gets the
 * kernel's answer for an fd that is not a socket (-ENOTSOCK), a program lookup finds nothing, and
 * {@code bpf_redirect_map} falls back to its flags' default action.
 */
public final class XskMap extends SlotMap {

    XskMap(MapSpec spec) {
        check(spec);
        super(spec);
    }

    /** Mirrors xsk_map_alloc()'s checks. */
    static void check(MapSpec spec) {
        MapMath.requireEntries(spec);
        MapMath.requireKeySize(spec, 4);
        if (spec.valueSize() != 4) {
            throw MapMath.invalid(spec, "value size " + spec.valueSize() + ": want 4 (a socket fd)");
        }
        MapMath.requireFlags(spec, DevMap.CREATE_FLAGS);
        SlotMap.requireSlots(spec);
    }

    /** xsk_map_lookup_elem(): the socket, none here. */
    @Override
    public long lookup(long keyAddr, int cpu) {
        return 0;
    }

    @Override
    public int update(long keyAddr, long valueAddr, long flags, int cpu) {
        // mirrors xsk_map_update_elem(): flags, index, then sockfd_lookup() of the value
        if (flags < 0 || flags > MapFlags.BPF_EXIST) {
            return -Errno.EINVAL;
        }
        if (Mem.getU32(keyAddr) >= max) {
            return -Errno.E2BIG;
        }
        return -Errno.ENOTSOCK;
    }

    @Override
    public int delete(long keyAddr, int cpu) {
        return Mem.getU32(keyAddr) >= max ? -Errno.EINVAL : 0;
    }

    /** xsk_map_lookup_elem_sys() answers -EOPNOTSUPP: nothing to return. */
    @Override
    public synchronized byte[] userLookup(byte[] key) {
        userKey(key);
        return null;
    }

    @Override
    public synchronized int userUpdate(byte[] key, byte[] value, long flags) {
        return update(userKey(key), userValue(value, 4), flags, 0);
    }

    @Override
    public synchronized int userDelete(byte[] key) {
        return delete(userKey(key), 0);
    }
}
