package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;

/**
 * BPF_MAP_TYPE_XSKMAP (net/xdp/xskmap.c): slots of AF_XDP sockets, the targets of {@code bpf_redirect_map}
 * to user space. jxdp has no fds, so sockets go in from Java ({@link #set}); a user update through bytes
 * gets the kernel's answer for an fd that is not a socket (-ENOTSOCK). A program's lookup finds a filled
 * slot (its value: the socket's queue id), and {@code bpf_redirect_map} to an empty one falls back to its
 * flags' default action.
 */
public final class XskMap extends SlotMap {

    // the socket of each filled slot, written before the slot is published (SlotMap.fill's release)
    private final XskSocketRef[] sockets;

    XskMap(MapSpec spec) {
        check(spec);
        super(spec);
        sockets = new XskSocketRef[spec.maxEntries()];
    }

    /**
     * xsk_map_update_elem() with a socket: puts {@code sock} in slot {@code key} (null empties it). An
     * IllegalArgumentException for a key out of range.
     */
    public synchronized void set(int key, XskSocketRef sock) {
        if (key < 0 || key >= max) {
            throw new IllegalArgumentException("xskmap " + name() + ": key " + key + " out of range (max_entries " + max + ")");
        }
        if (sock == null) {
            clear(key);
            sockets[key] = null;
            return;
        }
        sockets[key] = sock;
        fill(key, sock.queueId(), null);
    }

    /** The socket in slot {@code key} (a u32), or null: what bpf_redirect_map's target resolves to. */
    public XskSocketRef socket(long key) {
        return slot(key) == 0 ? null : sockets[(int) (key & 0xffffffffL)];
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

    /** xsk_map_lookup_elem(): the filled slot (its value is the socket's queue id), or NULL. */
    @Override
    public long lookup(long keyAddr, int cpu) {
        return slot(Mem.getU32(keyAddr));
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
    public synchronized int delete(long keyAddr, int cpu) {
        long i = Mem.getU32(keyAddr);
        if (i >= max) {
            return -Errno.EINVAL;
        }
        clear(i);
        sockets[(int) i] = null;
        return 0;
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
