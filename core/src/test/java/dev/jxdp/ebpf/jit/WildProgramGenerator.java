package dev.jxdp.ebpf.jit;

import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.interp.I;
import dev.jxdp.ebpf.isa.HelperIds;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;
import dev.jxdp.ebpf.maps.MapSpec;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.runtime.XdpMdLayout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Programs an attacker would write once the verifier is wrong: loads, stores and atomics through pointers
 * into the packet, the stack, the context, a map value (null or not) and through arbitrary 64-bit numbers,
 * at offsets from a few bytes to gigabytes either side (4 KiB before the frame, 64 KiB past it, the null
 * page, the top of the address space); map calls with such keys and values; ring buffer records whose
 * header the program overwrote before submitting them; bpf_csum_diff over such memory. The verifier
 * refuses nearly all of them; with forged facts the JIT compiles every access raw.
 */
final class WildProgramGenerator {
    private WildProgramGenerator() {}

    static List<MapSpec> maps() {
        return List.of(Harness.spec("arr", MapType.ARRAY, 4, 32, 8), Harness.spec("hash", MapType.HASH, 8, 16, 6),
                Harness.spec("rb", MapType.RINGBUF, 0, 0, 4096));
    }

    private static final int[] SIZES = {Op.B, Op.H, Op.W, Op.DW};
    private static final int[] RAW_ATOMIC_OPS = {Op.ADD, Op.ADD | Op.FETCH, Op.OR, Op.OR | Op.FETCH, Op.AND,
            Op.AND | Op.FETCH, Op.XOR, Op.XOR | Op.FETCH};
    private static final int[] ATOMIC_OPS = {Op.XCHG, Op.CMPXCHG, Op.ADD, Op.OR | Op.FETCH};
    private static final long[] FAR = {-4096, -4097, -8192, 4096, 65536, 65536 + 17, 1L << 20, -(1L << 20),
            1L << 31, -(1L << 31), 1L << 32, 1L << 36, -(1L << 36), 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};

    static Insn[] generate(Random rnd) {
        List<Insn> out = new ArrayList<>();
        out.add(I.movr(6, 1));
        out.add(I.mov(0, 0));
        int chunks = 5 + rnd.nextInt(20);
        for (int i = 0; i < chunks; i++) {
            // the helpers check their pointers exactly and end the run on a bad one: now and then only
            switch (rnd.nextInt(40)) {
                case 0, 1, 2, 3 -> mapCall(rnd, out);
                case 4 -> ringbuf(rnd, out);
                case 5 -> csum(rnd, out);
                default -> access(rnd, out);
            }
        }
        out.add(I.exit());
        return out.toArray(Insn[]::new);
    }

    // a pointer into r7: a base of some kind moved by an offset of some size
    private static void pointer(Random rnd, List<Insn> out) {
        switch (rnd.nextInt(7)) {
            case 0 -> out.add(I.ldx(Op.W, 7, 6, XdpMdLayout.DATA));
            case 1 -> out.add(I.ldx(Op.W, 7, 6, XdpMdLayout.DATA_END));
            case 2 -> out.add(I.movr(7, 10));
            case 3 -> out.add(I.movr(7, 6));
            case 4 -> {
                // a map value, not checked for null
                out.add(I.st(Op.W, 10, -4, rnd.nextInt(10)));
                out.addAll(List.of(I.lddw(1, Op.PSEUDO_MAP_IDX, 0, 0)));
                out.add(I.movr(2, 10));
                out.add(I.alu64(Op.ADD, 2, -4));
                out.add(I.call(HelperIds.MAP_LOOKUP_ELEM));
                out.add(I.movr(7, 0));
                out.add(I.mov(0, 0));
            }
            default -> out.addAll(List.of(I.lddw(7, rnd.nextLong())));
        }
        long off = switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(129) - 64;
            case 2 -> FAR[rnd.nextInt(FAR.length)];
            default -> rnd.nextLong();
        };
        if (off == (int) off) {
            out.add(I.alu64(Op.ADD, 7, (int) off));
        } else {
            out.addAll(List.of(I.lddw(8, off)));
            out.add(I.alu64r(Op.ADD, 7, 8));
        }
    }

    private static void access(Random rnd, List<Insn> out) {
        pointer(rnd, out);
        int size = SIZES[rnd.nextInt(SIZES.length)];
        int off = rnd.nextInt(129) - 64;
        switch (rnd.nextInt(4)) {
            case 0 -> {
                out.add(I.ldx(size, 8, 7, off));
                out.add(I.alu64r(Op.XOR, 0, 8));
            }
            case 1 -> out.add(I.st(size, 7, off, rnd.nextInt()));
            case 2 -> {
                out.addAll(List.of(I.lddw(8, rnd.nextLong())));
                out.add(I.stx(size, 7, 8, off));
            }
            default -> {
                // aligned and 64-bit add/or/and/xor mostly: those are the atomics proven code runs raw (the
                // others take the checked path, which refuses wild addresses and ends the run)
                out.add(I.alu64(Op.AND, 7, -8));
                out.add(I.mov(8, rnd.nextInt()));
                boolean raw = rnd.nextInt(8) != 0;
                int op = raw ? RAW_ATOMIC_OPS[rnd.nextInt(RAW_ATOMIC_OPS.length)] : ATOMIC_OPS[rnd.nextInt(ATOMIC_OPS.length)];
                out.add(I.atomic(raw || rnd.nextBoolean() ? Op.DW : Op.W, 7, 8, off & ~7, op));
                out.add(I.alu64r(Op.ADD, 0, 8));
            }
        }
    }

    // bpf_map_lookup/update/delete_elem with a wild key (and value), directly on the map under forged facts
    private static void mapCall(Random rnd, List<Insn> out) {
        pointer(rnd, out);
        out.add(I.movr(9, 7));
        pointer(rnd, out);
        out.addAll(List.of(I.lddw(1, Op.PSEUDO_MAP_IDX, rnd.nextInt(2), 0)));
        out.add(I.movr(2, 9));
        out.add(I.movr(3, 7));
        out.add(I.mov(4, 0));
        int helper = new int[] {HelperIds.MAP_LOOKUP_ELEM, HelperIds.MAP_UPDATE_ELEM, HelperIds.MAP_DELETE_ELEM}[rnd.nextInt(3)];
        out.add(I.call(helper));
        out.add(I.mov(0, 0));
    }

    // a record reserved, its header overwritten (a length far past the ring, BUSY kept or not), submitted
    private static void ringbuf(Random rnd, List<Insn> out) {
        out.addAll(List.of(I.lddw(1, Op.PSEUDO_MAP_IDX, 2, 0)));
        out.add(I.mov(2, 8 + 8 * rnd.nextInt(8)));
        out.add(I.mov(3, 0));
        out.add(I.call(HelperIds.RINGBUF_RESERVE));
        out.add(I.movr(7, 0));
        out.add(I.st(Op.W, 7, -8, rnd.nextBoolean() ? 0x8fffffff : rnd.nextInt()));
        out.add(I.movr(1, 7));
        if (rnd.nextBoolean()) {
            out.add(I.alu64(Op.ADD, 1, 8 * (rnd.nextInt(9) - 4)));
        }
        out.add(I.mov(2, 0));
        out.add(I.call(rnd.nextBoolean() ? HelperIds.RINGBUF_SUBMIT : HelperIds.RINGBUF_DISCARD));
        out.add(I.mov(0, 0));
    }

    private static void csum(Random rnd, List<Insn> out) {
        pointer(rnd, out);
        out.add(I.movr(1, 7));
        out.add(I.mov(2, 4 * rnd.nextInt(32)));
        out.add(I.movr(3, 7));
        out.add(I.mov(4, 4 * rnd.nextInt(32)));
        out.add(I.mov(5, 0));
        out.add(I.call(HelperIds.CSUM_DIFF));
        out.add(I.alu64r(Op.XOR, 0, 0));
    }
}
