package dev.jxdp.ebpf.isa;

/**
 * One 8-byte eBPF instruction slot, decoded. A 64-bit immediate load (lddw) takes two slots: the
 * first holds the opcode and the low 32 bits, the second has opcode 0 and the high 32 bits in imm.
 *
 * @param opcode the opcode byte, 0..255
 * @param dst    destination register, 0..15 as encoded (valid programs use 0..10)
 * @param src    source register, 0..15 as encoded (also the pseudo kind of lddw and call)
 * @param off    signed 16-bit offset
 * @param imm    signed 32-bit immediate
 */
public record Insn(int opcode, int dst, int src, int off, int imm) {

    public static final int SIZE = 8;

    /** Decodes the little-endian encoding used by ELF objects on x86, arm64 and every other host here. */
    public static Insn decode(long raw) {
        return new Insn((int) (raw & 0xff), (int) (raw >>> 8) & 0x0f, (int) (raw >>> 12) & 0x0f,
                (short) (raw >>> 16), (int) (raw >>> 32));
    }

    public long encode() {
        return (opcode & 0xffL) | (dst & 0xfL) << 8 | (src & 0xfL) << 12 | (off & 0xffffL) << 16 | (long) imm << 32;
    }

    public int cls() { return Op.cls(opcode); }

    public boolean isLddw() { return opcode == Op.LDDW; }

    public Insn withImm(int newImm) { return new Insn(opcode, dst, src, off, newImm); }

    public Insn withSrc(int newSrc) { return new Insn(opcode, dst, newSrc, off, imm); }

    /**
     * The kernel verifier log's text of this one slot ({@link Disasm}); an lddw out of its program
     * shows only its low half and says so.
     */
    @Override
    public String toString() {
        return Disasm.insn(new Insn[] {this}, 0);
    }

    /** The 64-bit immediate of an lddw from its two slots. */
    public static long imm64(Insn lo, Insn hi) {
        return (lo.imm & 0xffffffffL) | (long) hi.imm << 32;
    }

    /** Decodes a program from its bytes (length a multiple of 8). */
    public static Insn[] decodeAll(byte[] code, int offset, int length) {
        if (length % SIZE != 0) {
            throw new IllegalArgumentException("program size " + length + " is not a multiple of 8");
        }
        Insn[] out = new Insn[length / SIZE];
        for (int i = 0; i < out.length; i++) {
            long raw = 0;
            for (int b = 7; b >= 0; b--) {
                raw = raw << 8 | (code[offset + i * SIZE + b] & 0xff);
            }
            out[i] = decode(raw);
        }
        return out;
    }

    public static byte[] encodeAll(Insn[] insns) {
        byte[] out = new byte[insns.length * SIZE];
        for (int i = 0; i < insns.length; i++) {
            long raw = insns[i].encode();
            for (int b = 0; b < 8; b++) {
                out[i * SIZE + b] = (byte) (raw >>> (8 * b));
            }
        }
        return out;
    }
}
