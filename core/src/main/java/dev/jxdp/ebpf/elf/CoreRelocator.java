package dev.jxdp.ebpf.elf;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.isa.Op;

/**
 * Applies CO-RE relocations (.BTF.ext core_relo) with the object's own BTF as the target: jxdp has no
 * kernel BTF, so a relocation resolves only when the object defines the type it names, and then to that
 * definition. A relocation whose answer only the kernel's BTF holds (a forward-declared type, a kernel
 * type id) is an error. Mirrors bpf_core_calc_relo_insn() and bpf_core_patch_insn() of libbpf's
 * relo_core.c.
 */
final class CoreRelocator {
    private CoreRelocator() {}

    static final int FIELD_BYTE_OFFSET = 0;
    static final int FIELD_BYTE_SIZE = 1;
    static final int FIELD_EXISTS = 2;
    static final int FIELD_SIGNED = 3;
    static final int FIELD_LSHIFT_U64 = 4;
    static final int FIELD_RSHIFT_U64 = 5;
    static final int TYPE_ID_LOCAL = 6;
    static final int TYPE_ID_TARGET = 7;
    static final int TYPE_EXISTS = 8;
    static final int TYPE_SIZE = 9;
    static final int ENUMVAL_EXISTS = 10;
    static final int ENUMVAL_VALUE = 11;
    static final int TYPE_MATCHES = 12;

    private static final String[] KIND_NAMES = {"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64",
        "rshift_u64", "local_type_id", "target_type_id", "type_exists", "type_size", "enumval_exists",
        "enumval_value", "type_matches"};

    static String kindName(int kind) {
        return kind >= 0 && kind < KIND_NAMES.length ? KIND_NAMES[kind] : "kind " + kind;
    }

    /** Patches {@code insns[idx]} (an index into the function's own instructions) for one relocation. */
    static void apply(Btf btf, BtfExt.CoreRelo relo, Insn[] insns, int idx, String prog) {
        String where = "program " + prog + ": instruction " + idx + ": CO-RE " + kindName(relo.kind());
        if (relo.typeId() <= 0 || relo.typeId() >= btf.typeCount()) {
            throw new BpfException(where + ": type id " + relo.typeId() + " out of range");
        }
        Btf.Type local = btf.skipModsAndTypedefs(relo.typeId());
        if (local.kind() == Btf.KIND_FWD || relo.kind() == TYPE_ID_TARGET) {
            throw new BpfException(where + " against " + local.describe()
                    + " needs the kernel's BTF (the object does not define the type)");
        }
        long value = calc(btf, relo, local, where);
        patch(insns, idx, value, relo.kind(), where);
    }

    private static long calc(Btf btf, BtfExt.CoreRelo relo, Btf.Type local, String where) {
        String access = btf.string(relo.accessStrOff());
        int[] spec = parseAccess(access, where);
        return switch (relo.kind()) {
            case FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, FIELD_SIGNED, FIELD_LSHIFT_U64,
                 FIELD_RSHIFT_U64 -> field(btf, relo.typeId(), spec, relo.kind(), where);
            case TYPE_ID_LOCAL -> relo.typeId();
            case TYPE_EXISTS, TYPE_MATCHES -> 1;
            case TYPE_SIZE -> {
                long sz = btf.resolveSize(local.id());
                if (sz < 0) {
                    throw new BpfException(where + ": " + local.describe() + " has no size");
                }
                yield sz;
            }
            case ENUMVAL_EXISTS, ENUMVAL_VALUE -> {
                if ((local.kind() != Btf.KIND_ENUM && local.kind() != Btf.KIND_ENUM64) || spec.length != 1
                        || spec[0] >= local.members().size()) {
                    throw new BpfException(where + ": bad enum access " + access + " in " + local.describe());
                }
                yield relo.kind() == ENUMVAL_EXISTS ? 1 : local.members().get(spec[0]).value();
            }
            default -> throw new BpfException(where + ": unknown relocation kind " + relo.kind());
        };
    }

    private static int[] parseAccess(String access, String where) {
        if (access.isEmpty()) {
            return new int[0];
        }
        String[] parts = access.split(":");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new BpfException(where + ": bad access string \"" + access + "\"");
            }
            if (out[i] < 0) {
                throw new BpfException(where + ": bad access string \"" + access + "\"");
            }
        }
        return out;
    }

    // mirrors bpf_core_calc_field_relo(): walk the access spec to the field, then derive the load's
    // byte offset and size (widened for bitfields) and the shifts that extract it
    private static long field(Btf btf, int typeId, int[] spec, int kind, String where) {
        if (spec.length == 0) {
            throw new BpfException(where + ": empty field access");
        }
        Btf.Type t = btf.skipModsAndTypedefs(typeId);
        long bitOff = spec[0] * btf.resolveSize(t.id()) * 8;
        int bitfieldSize = 0;
        int fieldType = t.id();
        for (int i = 1; i < spec.length; i++) {
            t = btf.skipModsAndTypedefs(fieldType);
            if (t.kind() == Btf.KIND_STRUCT || t.kind() == Btf.KIND_UNION) {
                if (spec[i] >= t.members().size()) {
                    throw new BpfException(where + ": member #" + spec[i] + " beyond " + t.describe());
                }
                Btf.Member m = t.members().get(spec[i]);
                bitOff += m.value();
                bitfieldSize = m.bitSize();
                fieldType = m.type();
            } else if (t.kind() == Btf.KIND_ARRAY) {
                long elem = btf.resolveSize(t.sizeOrType());
                bitOff += spec[i] * elem * 8;
                bitfieldSize = 0;
                fieldType = t.sizeOrType();
            } else {
                throw new BpfException(where + ": cannot index into " + t.describe());
            }
        }
        if (kind == FIELD_EXISTS) {
            return 1;
        }
        Btf.Type ft = btf.skipModsAndTypedefs(fieldType);
        long byteSize = btf.resolveSize(ft.id());
        long byteOff;
        long bitSize;
        if (bitfieldSize == 0) {
            byteOff = bitOff / 8;
            bitSize = byteSize * 8;
        } else {
            bitSize = bitfieldSize;
            byteOff = bitOff / 8 / byteSize * byteSize;
            while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
                if (byteSize >= 8) {
                    throw new BpfException(where + ": bitfield too wide");
                }
                byteSize *= 2;
                byteOff = bitOff / 8 / byteSize * byteSize;
            }
        }
        return switch (kind) {
            case FIELD_BYTE_OFFSET -> byteOff;
            case FIELD_BYTE_SIZE -> byteSize;
            case FIELD_SIGNED -> isSigned(ft) ? 1 : 0;
            case FIELD_LSHIFT_U64 -> 64 - (bitOff + bitSize - byteOff * 8);
            default -> 64 - bitSize;
        };
    }

    private static boolean isSigned(Btf.Type t) {
        return switch (t.kind()) {
            case Btf.KIND_INT -> (t.extra() >>> 24 & 1) != 0;
            case Btf.KIND_ENUM, Btf.KIND_ENUM64 -> t.kflag();
            default -> false;
        };
    }

    // mirrors bpf_core_patch_insn(): the relocated value goes where clang put the local one
    private static void patch(Insn[] insns, int idx, long value, int kind, String where) {
        Insn in = insns[idx];
        int cls = in.cls();
        if ((cls == Op.ALU || cls == Op.ALU64) && Op.src(in.opcode()) == Op.K) {
            if (value != (int) value) {
                throw new BpfException(where + ": value " + value + " does not fit the immediate");
            }
            insns[idx] = in.withImm((int) value);
        } else if ((cls == Op.LDX || cls == Op.ST || cls == Op.STX) && kind == FIELD_BYTE_OFFSET) {
            if (value != (short) value) {
                throw new BpfException(where + ": offset " + value + " does not fit the instruction");
            }
            insns[idx] = new Insn(in.opcode(), in.dst(), in.src(), (int) value, in.imm());
        } else if (in.isLddw() && idx + 1 < insns.length) {
            insns[idx] = in.withImm((int) value);
            insns[idx + 1] = insns[idx + 1].withImm((int) (value >>> 32));
        } else {
            throw new BpfException(where + ": cannot patch opcode 0x" + Integer.toHexString(in.opcode()));
        }
    }
}
