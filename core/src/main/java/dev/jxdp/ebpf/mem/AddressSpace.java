package dev.jxdp.ebpf.mem;

import java.util.Arrays;

/**
 * The regions a program can reach, sorted by address, so a 64-bit pointer can be traced back to the
 * region it points into. The reference interpreter asks it on every access; helpers ask it for every
 * pointer argument. Not thread-safe: one per loaded collection, changed only while loading.
 */
public final class AddressSpace {

    private Region[] regions = new Region[0];

    public synchronized void add(Region region) {
        Region[] next = Arrays.copyOf(regions, regions.length + 1);
        next[regions.length] = region;
        Arrays.sort(next, (a, b) -> Long.compareUnsigned(a.base(), b.base()));
        regions = next;
    }

    public synchronized void remove(Region region) {
        regions = Arrays.stream(regions).filter(r -> r != region).toArray(Region[]::new);
    }

    /** The region holding every byte of [addr, addr + bytes), or null. */
    public Region find(long addr, long bytes) {
        Region r = containing(addr);
        return r != null && r.contains(addr, bytes) ? r : null;
    }

    /** The region whose range holds addr (at least its first byte), or null. */
    public Region containing(long addr) {
        Region[] rs = regions;
        int lo = 0;
        int hi = rs.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Region r = rs[mid];
            if (Long.compareUnsigned(addr, r.base()) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(addr, r.end()) >= 0) {
                lo = mid + 1;
            } else {
                return r;
            }
        }
        return null;
    }

    public Region[] regions() {
        return regions.clone();
    }
}
