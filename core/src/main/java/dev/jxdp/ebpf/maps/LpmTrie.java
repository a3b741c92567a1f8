package dev.jxdp.ebpf.maps;

import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.mem.Region;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * BPF_MAP_TYPE_LPM_TRIE (kernel/bpf/lpm_trie.c): longest-prefix match over keys
 * {@code struct bpf_lpm_trie_key_u8 { u32 prefixlen; u8 data[]; }}, data in network order (IPv4: 4 bytes,
 * IPv6: 16). The kernel's path-compressed binary trie: real nodes carry a value, intermediate nodes join
 * two subtrees and carry none; the same insert, delete and postorder get-next-key.
 *
 * <p>Nodes are indices into a pool of {@code 2 * max_entries} (at most one intermediate per real node):
 * their prefix data in a private off-heap slab, their values in a value slab a program may reach. An
 * update of an existing prefix rewrites its value in place (the kernel swaps in a new node, so a
 * program holding the old value pointer would keep seeing the old value there).
 */
public final class LpmTrie extends BaseMap {

    static final int CREATE_FLAGS = MapFlags.BPF_F_NO_PREALLOC | MapFlags.BPF_F_NUMA_NODE | MapFlags.BPF_F_ACCESS_MASK;
    static final int DATA_SIZE_MAX = 256;

    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final int ROOT = -1;

    private final int dataSize;
    private final int maxPrefixlen;
    private final int dataStride;
    private final int vstride;
    private final long data;
    private final long values;
    private final int[] prefixlen;
    /** Two per node: child[2n] (next bit 0), child[2n + 1] (next bit 1); -1 for none. */
    private final int[] child;
    private final boolean[] intermediate;
    private final int[] root = {-1};
    private final int[] free;
    private int freeTop;
    private int entries;

    LpmTrie(MapSpec spec) {
        check(spec);
        super(spec);
        dataSize = spec.keySize() - 4;
        maxPrefixlen = dataSize * 8;
        dataStride = (int) MapMath.roundUp8(dataSize);
        vstride = (int) MapMath.roundUp8(spec.valueSize());
        int pool = (int) Math.min(Integer.MAX_VALUE - 8, 2L * spec.maxEntries());
        prefixlen = new int[pool];
        child = new int[2 * pool];
        intermediate = new boolean[pool];
        free = new int[pool];
        for (int i = 0; i < pool; i++) {
            free[i] = pool - 1 - i;
        }
        freeTop = pool;
        try {
            values = slab("", (long) pool * vstride, Region.Kind.MAP_VALUE, progWritable()).address();
            data = privateSlab((long) pool * dataStride).address();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Mirrors trie_alloc()'s checks: the kernel allocates LPM nodes on demand, so BPF_F_NO_PREALLOC is required. */
    static void check(MapSpec spec) {
        MapMath.requireEntries(spec);
        if ((spec.flags() & MapFlags.BPF_F_NO_PREALLOC) == 0) {
            throw MapMath.invalid(spec, "LPM_TRIE needs map_flags BPF_F_NO_PREALLOC");
        }
        MapMath.requireFlags(spec, CREATE_FLAGS);
        if (spec.keySize() < 5 || spec.keySize() > 4 + DATA_SIZE_MAX) {
            throw MapMath.invalid(spec, "key size " + spec.keySize() + ": want 4 + 1..256 bytes of prefix data");
        }
        MapMath.requireValue(spec);
        if (spec.valueSize() > MapMath.KMALLOC_MAX_SIZE - DATA_SIZE_MAX - 64) {
            throw MapMath.invalid(spec, "value size " + spec.valueSize() + ": too large");
        }
        if (spec.maxEntries() > 1 << 29) {
            throw MapMath.invalid(spec, "max_entries " + spec.maxEntries() + ": too many for jxdp's node pool");
        }
        MapMath.requireHeap(spec, 2L * spec.maxEntries() * 17);
        MapMath.requireMemory(spec, 2L * spec.maxEntries() * (MapMath.roundUp8(spec.valueSize()) + MapMath.roundUp8(spec.keySize() - 4)));
    }

    private long nodeData(int n) { return data + (long) n * dataStride; }

    private long valueAddress(int n) { return values + (long) n * vstride; }

    private int slotGet(int slot) {
        return slot == ROOT ? (int) INTS.getAcquire(root, 0) : (int) INTS.getAcquire(child, slot);
    }

    private void slotSet(int slot, int n) {
        if (slot == ROOT) {
            INTS.setRelease(root, 0, n);
        } else {
            INTS.setRelease(child, slot, n);
        }
    }

    /** The bit at {@code index} of prefix data, most significant bit first (extract_bit()). */
    private static int bit(long dataAddr, int index) {
        return (Mem.getU8(dataAddr + (index >>> 3)) >>> (7 - (index & 7))) & 1;
    }

    /** longest_prefix_match(): how many leading bits of node n and the key data agree, capped by both lengths. */
    private int match(int n, long keyData, int keyPrefixlen) {
        return match(n, keyData, keyPrefixlen, dataSize);
    }

    // dataSize: the map's, passed so that a caller that knows it as a constant gets the compare unrolled
    private int match(int n, long keyData, int keyPrefixlen, int dataSize) {
        int limit = Math.min(prefixlen[n], keyPrefixlen);
        long nd = nodeData(n);
        int matched = 0;
        int i = 0;
        for (; i + 8 <= dataSize; i += 8) {
            long diff = Long.reverseBytes(Mem.getU64(nd + i) ^ Mem.getU64(keyData + i));
            if (diff != 0) {
                return Math.min(matched + Long.numberOfLeadingZeros(diff), limit);
            }
            matched += 64;
            if (matched >= limit) {
                return limit;
            }
        }
        // the tail in one 4-byte step (an IPv4 key's whole data), then bytes: big-endian order, so the
        // first differing bit is the most significant one of the byte-reversed xor
        if (i + 4 <= dataSize) {
            int diff = Integer.reverseBytes((int) (Mem.getU32(nd + i) ^ Mem.getU32(keyData + i)));
            if (diff != 0) {
                return Math.min(matched + Integer.numberOfLeadingZeros(diff), limit);
            }
            matched += 32;
            if (matched >= limit) {
                return limit;
            }
            i += 4;
        }
        for (; i < dataSize; i++) {
            int diff = Mem.getU8(nd + i) ^ Mem.getU8(keyData + i);
            if (diff != 0) {
                return Math.min(matched + Integer.numberOfLeadingZeros(diff) - 24, limit);
            }
            matched += 8;
            if (matched >= limit) {
                return limit;
            }
        }
        return Math.min(matched, limit);
    }

    /** trie_lookup_elem(): the node of the longest stored prefix that covers the key, or -1. */
    private int find(long keyAddr, int dataSize) {
        long kp = Mem.getU32(keyAddr);
        if (kp > maxPrefixlen) {
            return -1;
        }
        long kd = keyAddr + 4;
        int found = -1;
        int n = slotGet(ROOT);
        while (n >= 0) {
            int m = match(n, kd, (int) kp, dataSize);
            if (m == maxPrefixlen) {
                return n;
            }
            if (m < prefixlen[n]) {
                break;
            }
            if (!intermediate[n]) {
                found = n;
            }
            n = slotGet(2 * n + bit(kd, prefixlen[n]));
        }
        return found;
    }

    /** How many prefixes the trie holds. */
    public int count() { return entries; }

    // ---- program side ----

    @Override
    public long lookup(long keyAddr, int cpu) {
        return lookup(keyAddr, cpu, keySize());
    }

    /**
     * {@link #lookup(long, int)} for a caller that knows the key size as a constant of its code (the JIT):
     * the prefix compare unrolls for it. A size that is not this map's takes the general path.
     */
    public long lookup(long keyAddr, int cpu, int keySize) {
        int n = find(keyAddr, keySize == keySize() ? keySize - 4 : dataSize);
        return n < 0 ? 0 : valueAddress(n);
    }

    /** trie_check_add_elem(): a new prefix needs room and must not be BPF_EXIST. */
    private int checkAdd(long flags) {
        if (flags == MapFlags.BPF_EXIST) {
            return -Errno.ENOENT;
        }
        if (entries == maxEntries()) {
            return -Errno.ENOSPC;
        }
        entries++;
        return 0;
    }

    private int newNode(int plen, long keyData) {
        int n = free[--freeTop];
        prefixlen[n] = plen;
        intermediate[n] = false;
        child[2 * n] = -1;
        child[2 * n + 1] = -1;
        Mem.copy(keyData, nodeData(n), dataSize);
        return n;
    }

    @Override
    public synchronized int update(long keyAddr, long valueAddr, long flags, int cpu) {
        // mirrors trie_update_elem()
        if (flags < 0 || flags > MapFlags.BPF_EXIST) {
            return -Errno.EINVAL;
        }
        long kpl = Mem.getU32(keyAddr);
        if (kpl > maxPrefixlen) {
            return -Errno.EINVAL;
        }
        int kp = (int) kpl;
        long kd = keyAddr + 4;
        int slot = ROOT;
        int node = slotGet(slot);
        int m = 0;
        while (node >= 0) {
            m = match(node, kd, kp);
            if (prefixlen[node] != m || prefixlen[node] == kp) {
                break;
            }
            slot = 2 * node + bit(kd, prefixlen[node]);
            node = slotGet(slot);
        }
        if (node < 0) {
            int err = checkAdd(flags);
            if (err != 0) {
                return err;
            }
            int nn = newNode(kp, kd);
            Mem.copy(valueAddr, valueAddress(nn), valueSize());
            slotSet(slot, nn);
            return 0;
        }
        if (prefixlen[node] == m) {
            // the same prefix: replace the value (and the key bytes, as the kernel's new node carries them)
            if (!intermediate[node]) {
                if (flags == MapFlags.BPF_NOEXIST) {
                    return -Errno.EEXIST;
                }
            } else {
                int err = checkAdd(flags);
                if (err != 0) {
                    return err;
                }
            }
            Mem.copy(kd, nodeData(node), dataSize);
            Mem.copy(valueAddr, valueAddress(node), valueSize());
            intermediate[node] = false;
            return 0;
        }
        int err = checkAdd(flags);
        if (err != 0) {
            return err;
        }
        int nn = newNode(kp, kd);
        Mem.copy(valueAddr, valueAddress(nn), valueSize());
        if (m == kp) {
            // the new prefix covers node: it goes above it
            child[2 * nn + bit(nodeData(node), m)] = node;
            slotSet(slot, nn);
            return 0;
        }
        int im = free[--freeTop];
        prefixlen[im] = m;
        intermediate[im] = true;
        Mem.copy(nodeData(node), nodeData(im), dataSize);
        if (bit(kd, m) == 1) {
            child[2 * im] = node;
            child[2 * im + 1] = nn;
        } else {
            child[2 * im] = nn;
            child[2 * im + 1] = node;
        }
        slotSet(slot, im);
        return 0;
    }

    @Override
    public synchronized int delete(long keyAddr, int cpu) {
        // mirrors trie_delete_elem(): only an exact prefix, and the trie keeps every intermediate with two children
        long kpl = Mem.getU32(keyAddr);
        if (kpl > maxPrefixlen) {
            return -Errno.EINVAL;
        }
        int kp = (int) kpl;
        long kd = keyAddr + 4;
        int trim = ROOT;
        int trim2 = ROOT;
        int parent = -1;
        int node = slotGet(trim);
        int m = 0;
        while (node >= 0) {
            m = match(node, kd, kp);
            if (prefixlen[node] != m || prefixlen[node] == kp) {
                break;
            }
            parent = node;
            trim2 = trim;
            trim = 2 * node + bit(kd, prefixlen[node]);
            node = slotGet(trim);
        }
        if (node < 0 || prefixlen[node] != kp || prefixlen[node] != m || intermediate[node]) {
            return -Errno.ENOENT;
        }
        entries--;
        int c0 = child[2 * node];
        int c1 = child[2 * node + 1];
        if (c0 >= 0 && c1 >= 0) {
            intermediate[node] = true;
            return 0;
        }
        if (parent >= 0 && intermediate[parent] && c0 < 0 && c1 < 0) {
            int other = child[2 * parent] == node ? child[2 * parent + 1] : child[2 * parent];
            slotSet(trim2, other);
            free[freeTop++] = parent;
            free[freeTop++] = node;
            return 0;
        }
        slotSet(trim, c0 >= 0 ? c0 : c1);
        free[freeTop++] = node;
        return 0;
    }

    // ---- user side ----

    @Override
    public synchronized byte[] userLookup(byte[] key) {
        int n = find(userKey(key), dataSize);
        return n < 0 ? null : Mem.read(valueAddress(n), valueSize());
    }

    @Override
    public synchronized int userUpdate(byte[] key, byte[] value, long flags) {
        return update(userKey(key), userValue(value, valueSize()), flags, 0);
    }

    @Override
    public synchronized int userDelete(byte[] key) {
        return delete(userKey(key), 0);
    }

    /** trie_get_next_key(): postorder, so more specific prefixes come before the ones that cover them. */
    @Override
    public synchronized byte[] userNextKey(byte[] key) {
        int searchRoot = slotGet(ROOT);
        if (searchRoot < 0) {
            return null;
        }
        if (key != null) {
            long k = userKey(key);
            long kpl = Mem.getU32(k);
            if (kpl <= maxPrefixlen) {
                int next = nextInPostorder(k + 4, (int) kpl, searchRoot);
                if (next != -2) {
                    return next < 0 ? null : keyOf(next);
                }
            }
        }
        return keyOf(leftmost(searchRoot));
    }

    /** The node after the key's own in postorder, -1 when it was the last, -2 when the key is not stored. */
    private int nextInPostorder(long kd, int kp, int searchRoot) {
        int[] stack = new int[maxPrefixlen + 2];
        int sp = -1;
        int node = searchRoot;
        while (node >= 0) {
            stack[++sp] = node;
            int m = match(node, kd, kp);
            if (prefixlen[node] != m || prefixlen[node] == kp) {
                if (prefixlen[node] != m) {
                    node = -1;
                }
                break;
            }
            node = child[2 * node + bit(kd, prefixlen[node])];
        }
        if (node < 0 || prefixlen[node] != kp || intermediate[node]) {
            return -2;
        }
        while (sp > 0) {
            int parent = stack[sp - 1];
            if (child[2 * parent] == node && child[2 * parent + 1] >= 0) {
                return leftmost(child[2 * parent + 1]);
            }
            if (!intermediate[parent]) {
                return parent;
            }
            node = parent;
            sp--;
        }
        return -1;
    }

    /** The first real node in postorder under n: down the left side, taking the right child where no left. */
    private int leftmost(int n) {
        int found = -1;
        while (n >= 0) {
            if (intermediate[n]) {
                n = child[2 * n];
            } else {
                found = n;
                int l = child[2 * n];
                n = l >= 0 ? l : child[2 * n + 1];
            }
        }
        return found;
    }

    private byte[] keyOf(int n) {
        byte[] k = new byte[keySize()];
        int p = prefixlen[n];
        k[0] = (byte) p;
        k[1] = (byte) (p >>> 8);
        k[2] = (byte) (p >>> 16);
        k[3] = (byte) (p >>> 24);
        byte[] d = Mem.read(nodeData(n), dataSize);
        System.arraycopy(d, 0, k, 4, dataSize);
        return k;
    }
}
