package dev.jxdp.xdp;

import dev.jxdp.ebpf.mem.Mem;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/** A device's wire for tests: keeps each bulk's size and a copy of every frame, then completes the frames. */
final class CapturingWire implements TxDriver {

    private final PagePool pool;
    final List<Integer> bulks = Collections.synchronizedList(new ArrayList<>());
    final List<byte[]> sent = Collections.synchronizedList(new ArrayList<>());

    CapturingWire(PagePool pool) {
        this.pool = pool;
    }

    @Override
    public int transmit(int[] ids, int from, int n) {
        bulks.add(n);
        for (int i = 0; i < n; i++) {
            int id = ids[from + i];
            sent.add(Mem.read(pool.address(id) + pool.meta().dataOffset(id), pool.meta().length(id)));
        }
        pool.returnBulk(ids, from, n);
        return n;
    }

    /** Byte {@code off} of every frame sent, in order. */
    List<Integer> bytesAt(int off) {
        List<Integer> out = new ArrayList<>();
        for (byte[] f : sent) {
            out.add(f[off] & 0xff);
        }
        return out;
    }

    /** Every frame sent, as hex, in order. */
    List<String> hex() {
        List<String> out = new ArrayList<>();
        for (byte[] f : sent) {
            out.add(HexFormat.of().formatHex(f));
        }
        return out;
    }
}
