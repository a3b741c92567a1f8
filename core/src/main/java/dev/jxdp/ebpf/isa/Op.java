package dev.jxdp.ebpf.isa;

/**
 * The BPF instruction set's opcode fields (RFC 9669), named as in the kernel's uapi/linux/bpf.h.
 * An opcode byte is {@code class | source | operation} for ALU and jumps and
 * {@code class | size | mode} for loads and stores.
 */
public final class Op {
    private Op() {}

    // instruction classes: the low 3 bits
    public static final int LD = 0x00;
    public static final int LDX = 0x01;
    public static final int ST = 0x02;
    public static final int STX = 0x03;
    public static final int ALU = 0x04;
    public static final int JMP = 0x05;
    public static final int JMP32 = 0x06;
    public static final int ALU64 = 0x07;

    // load/store sizes: bits 3-4
    public static final int W = 0x00;
    public static final int H = 0x08;
    public static final int B = 0x10;
    public static final int DW = 0x18;

    // load/store modes: bits 5-7
    public static final int IMM = 0x00;
    public static final int ABS = 0x20;
    public static final int IND = 0x40;
    public static final int MEM = 0x60;
    public static final int MEMSX = 0x80;
    public static final int ATOMIC = 0xc0;

    // source operand: bit 3 of ALU and jumps
    public static final int K = 0x00;
    public static final int X = 0x08;

    // ALU operations: bits 4-7
    public static final int ADD = 0x00;
    public static final int SUB = 0x10;
    public static final int MUL = 0x20;
    public static final int DIV = 0x30;
    public static final int OR = 0x40;
    public static final int AND = 0x50;
    public static final int LSH = 0x60;
    public static final int RSH = 0x70;
    public static final int NEG = 0x80;
    public static final int MOD = 0x90;
    public static final int XOR = 0xa0;
    public static final int MOV = 0xb0;
    public static final int ARSH = 0xc0;
    public static final int END = 0xd0;

    // byte swap direction, in the source bit of END (ALU class); ALU64|END|TO_LE is the v4 unconditional bswap
    public static final int TO_LE = 0x00;
    public static final int TO_BE = 0x08;

    // jump operations: bits 4-7
    public static final int JA = 0x00;
    public static final int JEQ = 0x10;
    public static final int JGT = 0x20;
    public static final int JGE = 0x30;
    public static final int JSET = 0x40;
    public static final int JNE = 0x50;
    public static final int JSGT = 0x60;
    public static final int JSGE = 0x70;
    public static final int CALL = 0x80;
    public static final int EXIT = 0x90;
    public static final int JLT = 0xa0;
    public static final int JLE = 0xb0;
    public static final int JSLT = 0xc0;
    public static final int JSLE = 0xd0;
    /** Conditional pseudo-jump (kernel 6.9+); its only form is {@code may_goto}, src {@link #MAY_GOTO}. */
    public static final int JCOND = 0xe0;
    public static final int MAY_GOTO = 0;

    // atomic operations, in the imm field of STX|ATOMIC
    public static final int FETCH = 0x01;
    public static final int XCHG = 0xe0 | FETCH;
    public static final int CMPXCHG = 0xf0 | FETCH;
    /** BPF_LOAD_ACQ (kernel 6.15+): {@code dst = load_acquire((size *)(src + off))}, any size. */
    public static final int LOAD_ACQ = 0x100;
    /** BPF_STORE_REL: {@code store_release((size *)(dst + off), src)}, any size. */
    public static final int STORE_REL = 0x110;

    // src_reg of lddw (BPF_LD|BPF_IMM|BPF_DW): what the 64-bit immediate means
    public static final int PSEUDO_MAP_FD = 1;
    public static final int PSEUDO_MAP_VALUE = 2;
    public static final int PSEUDO_BTF_ID = 3;
    public static final int PSEUDO_FUNC = 4;
    public static final int PSEUDO_MAP_IDX = 5;
    public static final int PSEUDO_MAP_IDX_VALUE = 6;

    // src_reg of call: what imm names
    public static final int CALL_HELPER = 0;
    public static final int PSEUDO_CALL = 1;
    public static final int PSEUDO_KFUNC_CALL = 2;

    /** The lddw opcode, the only 16-byte instruction. */
    public static final int LDDW = LD | IMM | DW;

    public static int cls(int opcode) { return opcode & 0x07; }
    public static int size(int opcode) { return opcode & 0x18; }
    public static int mode(int opcode) { return opcode & 0xe0; }
    public static int src(int opcode) { return opcode & 0x08; }
    public static int op(int opcode) { return opcode & 0xf0; }

    /** Bytes moved by a load or store of this size field. */
    public static int bytes(int sizeField) {
        return switch (sizeField) {
            case W -> 4;
            case H -> 2;
            case B -> 1;
            default -> 8;
        };
    }
}
