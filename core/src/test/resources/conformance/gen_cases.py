#!/usr/bin/env python3
"""Writes jxdp's own ISA conformance cases (one .txt per case) from RFC 9669 semantics.

Expected values are computed here by a small model of the ISA's rules, not copied from any suite.
Usage: gen_cases.py OUTDIR
"""
import os
import sys

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1

def s64(x):
    x &= M64
    return x - (1 << 64) if x >> 63 else x

def s32(x):
    x &= M32
    return x - (1 << 32) if x >> 31 else x

def sx(x, bits):
    x &= (1 << bits) - 1
    return x - (1 << bits) if x >> (bits - 1) else x

def tdiv(a, b):  # signed division truncating toward zero
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q

def tmod(a, b):  # sign follows the dividend
    return a - tdiv(a, b) * b

def alu(op, width, dst, src):
    """RFC 9669 section 4.1 for one op; src already extended (imm: sign-extended to 64 then truncated)."""
    m = M64 if width == 64 else M32
    d, s = dst & m, src & m
    sd = s64(d) if width == 64 else s32(d)
    ss = s64(s) if width == 64 else s32(s)
    if op == 'add': r = d + s
    elif op == 'sub': r = d - s
    elif op == 'mul': r = d * s
    elif op == 'div': r = 0 if s == 0 else d // s
    elif op == 'sdiv': r = 0 if s == 0 else tdiv(sd, ss)
    elif op == 'mod': r = d if s == 0 else d % s
    elif op == 'smod': r = d if s == 0 else tmod(sd, ss)
    elif op == 'or': r = d | s
    elif op == 'and': r = d & s
    elif op == 'xor': r = d ^ s
    elif op == 'lsh': r = d << (s & (width - 1))
    elif op == 'rsh': r = d >> (s & (width - 1))
    elif op == 'arsh': r = sd >> (s & (width - 1))
    elif op == 'mov': r = s
    elif op == 'neg': r = -d
    else: raise ValueError(op)
    return r & m  # ALU32 results are zero-extended into the 64-bit register

SYM = {'add': '+=', 'sub': '-=', 'mul': '*=', 'div': '/=', 'sdiv': 's/=', 'mod': '%=', 'smod': 's%=',
       'or': '|=', 'and': '&=', 'xor': '^=', 'lsh': '<<=', 'rsh': '>>=', 'arsh': 's>>=', 'mov': '='}

cases = {}

def case(name, desc, prog, result=None, mem=None, error=None):
    assert name not in cases, name
    lines = ['# ' + desc]
    if mem is not None:
        lines.append('# mem: ' + ' '.join('%02x' % b for b in mem))
    if error is not None:
        lines.append('# error: ' + error)
    else:
        lines.append('# result: 0x%x' % (result & M64))
    body = [l.strip() for l in prog.strip().splitlines()]
    cases[name] = '\n'.join(lines + body) + '\n'

def lddw(reg, v):
    return 'r%d = 0x%x ll' % (reg, v & M64)

def imm_text(v):
    return str(v)

# ---------------------------------------------------------------- ALU, every op, imm and reg
vals = {
    'add': (0x7fffffffffffffff, 5), 'sub': (3, 10), 'mul': (0x100000003, -7), 'div': (0xfffffffffffffff0, 7),
    'mod': (0xfffffffffffffff1, 10), 'or': (0xf0f0000000000000, 0x0f0f), 'and': (0xffffffff12345678, -256),
    'xor': (0x00ff00ff00ff00ff, -1), 'lsh': (0x8000000000000001, 4), 'rsh': (0x8000000000000010, 4),
    'arsh': (0x8000000000000010, 4), 'mov': (0x1234, -2), 'sdiv': (-100, 7), 'smod': (-100, 7),
}
for op, (d, s) in vals.items():
    for width in (64, 32):
        reg = 'r' if width == 64 else 'w'
        # imm form: imm is a sign-extended 32-bit value
        exp = alu(op, width, d, s & M64)
        case('alu%d-%s-imm' % (width, op), '%s %s with a 32-bit immediate (RFC 9669 4.1)' % ('ALU64' if width == 64 else 'ALU32', op),
             f"""
             {lddw(0, d)}
             {reg}0 {SYM[op]} {s}
             exit
             """, exp)
        # reg form, with junk in the source's upper half for ALU32 (only the low 32 bits count)
        sv = (s & M64) if width == 64 else ((s & M32) | 0x5a5a5a5a00000000)
        exp = alu(op, width, d, sv)
        case('alu%d-%s-reg' % (width, op), '%s %s with a register source' % ('ALU64' if width == 64 else 'ALU32', op),
             f"""
             {lddw(0, d)}
             {lddw(1, sv)}
             {reg}0 {SYM[op]} {reg}1
             exit
             """, exp)

for width in (64, 32):
    reg = 'r' if width == 64 else 'w'
    for d in (5, 0x8000000000000000 if width == 64 else 0xffffffff80000000):
        tag = 'min' if d != 5 else 'pos'
        case('alu%d-neg-%s' % (width, tag), 'neg (%d-bit): two\'s complement, INT_MIN stays INT_MIN' % width,
             f"""
             {lddw(0, d)}
             {reg}0 = -{reg}0
             exit
             """, alu('neg', width, d, 0))

# zero-extension of ALU32 results into the upper half
for op in ('add', 'sub', 'mul', 'or', 'and', 'xor', 'lsh', 'rsh', 'arsh', 'div', 'mod'):
    case('zext32-' + op, 'ALU32 %s clears the upper 32 bits of the destination' % op,
         f"""
         r0 = -1
         w0 {SYM[op]} 1
         exit
         """, alu(op, 32, M64, 1))
case('zext32-mov-reg', 'w0 = w1 zero-extends', """
     r1 = -1
     r0 = 7
     w0 = w1
     exit
     """, 0xffffffff)
case('zext32-mov-imm', 'w0 = -1 gives 0x00000000ffffffff, not a sign-extended value', """
     r0 = 0
     w0 = -1
     exit
     """, 0xffffffff)
case('mov64-imm-signext', 'r0 = -2: the immediate is sign-extended to 64 bits', """
     r0 = -2
     exit
     """, (-2) & M64)
case('alu64-add-imm-signext', 'ALU64 immediates are sign-extended: r0 += -1', """
     r0 = 0
     r0 += -1
     exit
     """, M64)

# ---------------------------------------------------------------- division and modulo by zero
for width in (64, 32):
    reg = 'r' if width == 64 else 'w'
    d = 0x123456789abcdef0
    for op in ('div', 'mod', 'sdiv', 'smod'):
        exp = alu(op, width, d, 0)
        case('%s%d-by-zero-reg' % (op, width), '%s by zero (%d-bit): quotient 0, remainder = dividend%s' % (
                op, width, ' truncated to 32 bits' if width == 32 else ''),
             f"""
             {lddw(0, d)}
             r1 = 0
             {reg}0 {SYM[op]} {reg}1
             exit
             """, exp)
    # a zero in the low half only: ALU32 sees zero
    if width == 32:
        case('div32-by-zero-low-half', 'ALU32 div looks only at the low 32 bits of the divisor (0x100000000 is 0)', """
             r0 = 100
             r1 = 1
             r1 <<= 32
             w0 /= w1
             exit
             """, 0)

# signed division and modulo edge values
for width in (64, 32):
    reg = 'r' if width == 64 else 'w'
    imin = (1 << (width - 1))
    dmin = imin if width == 64 else (imin | 0xffffffff00000000)
    for op in ('sdiv', 'smod'):
        for form in ('imm', 'reg'):
            exp = alu(op, width, dmin, M64)
            src = f"{reg}0 {SYM[op]} -1" if form == 'imm' else f"r1 = -1\n{reg}0 {SYM[op]} {reg}1"
            case('%s%d-intmin-by-minus1-%s' % (op, width, form),
                 '%s INT%d_MIN by -1: %s (no trap)' % (op, width, 'quotient wraps to INT_MIN' if op == 'sdiv' else 'remainder 0'),
                 f"""
                 {lddw(0, dmin)}
                 {src}
                 exit
                 """, exp)
    for (a, b) in ((-7, 2), (7, -2), (-7, -2)):
        for op in ('sdiv', 'smod'):
            exp = alu(op, width, a & M64, b & M64)
            tag = ('n' if a < 0 else 'p') + ('n' if b < 0 else 'p')
            case('%s%d-%s' % (op, width, tag), '%s %d by %d (%d-bit): truncates toward zero, remainder has the dividend\'s sign' % (op, a, b, width),
                 f"""
                 r0 = {a}
                 r1 = {b}
                 {reg}0 {SYM[op]} {reg}1
                 exit
                 """, exp)
case('div64-unsigned-negative', 'BPF_DIV is unsigned: -1 / 2 is 0x7fffffffffffffff', """
     r0 = -1
     r0 /= 2
     exit
     """, M64 // 2)
case('div32-unsigned-imm-negative', 'ALU32 div by imm -2 divides by 0xfffffffe', """
     r0 = -1
     w0 /= -2
     exit
     """, 1)
case('mod64-imm-negative', 'ALU64 mod by imm -1: the divisor is 0xffffffffffffffff', """
     r0 = 12345
     r0 %= -1
     exit
     """, 12345)

# ---------------------------------------------------------------- shifts: the count is masked
for width in (64, 32):
    reg = 'r' if width == 64 else 'w'
    d = 0x8000000180000001
    for op in ('lsh', 'rsh', 'arsh'):
        for n in (0, 1, 31, 32, 33, 63, 64, 65, 127):
            if width == 32 and n in (63,):
                continue
            exp = alu(op, width, d, n)
            case('%s%d-by-%d' % (op, width, n), '%s (%d-bit) by %d: the count is masked to %d bits' % (op, width, n, 6 if width == 64 else 5),
                 f"""
                 {lddw(0, d)}
                 r1 = {n}
                 {reg}0 {SYM[op]} {reg}1
                 exit
                 """, exp)
case('arsh64-imm', 'arsh imm on a negative value keeps the sign', """
     r0 = -256
     r0 s>>= 4
     exit
     """, (-16) & M64)
case('arsh32-imm', 'arsh32 uses bit 31 as the sign, then zero-extends', """
     r0 = 0
     w0 = -256
     w0 s>>= 4
     exit
     """, (-16) & M32)

# ---------------------------------------------------------------- movsx
for bits, v in ((8, 0x80), (16, 0x8000), (32, 0x80000000)):
    case('movsx64-s%d' % bits, 'r0 = (s%d)r1 sign-extends the low %d bits to 64' % (bits, bits), f"""
         {lddw(1, 0x7f7f7f7f00000000 | v)}
         r0 = (s{bits})r1
         exit
         """, sx(v, bits) & M64)
    case('movsx64-s%d-pos' % bits, 'r0 = (s%d)r1 with a clear sign bit' % bits, f"""
         {lddw(1, 0xffffffffffffffff ^ (1 << (bits - 1)))}
         r0 = (s{bits})r1
         exit
         """, ((1 << (bits - 1)) - 1))
for bits, v in ((8, 0x80), (16, 0x8000)):
    case('movsx32-s%d' % bits, 'w0 = (s%d)w1 sign-extends to 32 bits then zero-extends to 64' % bits, f"""
         {lddw(1, 0x7f7f7f7f00000000 | v)}
         r0 = -1
         w0 = (s{bits})w1
         exit
         """, sx(v, bits) & M32)

# ---------------------------------------------------------------- byte swaps
V = 0x0123456789abcdef
def bswap(v, bits):
    return int.from_bytes((v & ((1 << bits) - 1)).to_bytes(bits // 8, 'little'), 'big')
for bits in (16, 32, 64):
    case('bswap%d' % bits, 'bswap%d (ALU64 END): unconditional swap of the low %d bits, rest zero' % (bits, bits), f"""
         {lddw(0, V)}
         r0 = bswap{bits} r0
         exit
         """, bswap(V, bits))
    case('be%d' % bits, 'be%d on a little-endian host swaps the low %d bits and zero-extends' % (bits, bits), f"""
         {lddw(0, V)}
         r0 = be{bits} r0
         exit
         """, bswap(V, bits))
    case('le%d' % bits, 'le%d on a little-endian host only truncates to %d bits' % (bits, bits), f"""
         {lddw(0, V)}
         r0 = le{bits} r0
         exit
         """, V & ((1 << bits) - 1))
case('be16-from-memory', 'load a network-order u16 and convert it to host order', """
     r0 = *(u16 *)(r1 +2)
     r0 = be16 r0
     exit
     """, 0x0800, mem=[0, 0, 0x08, 0x00, 0xff])

# ---------------------------------------------------------------- loads
MEM = list(range(0x81, 0x81 + 16))  # 81 82 ... 90: every byte has bit 7 set
def le(bs):
    return int.from_bytes(bytes(bs), 'little')
for size, n in (('u8', 1), ('u16', 2), ('u32', 4), ('u64', 8)):
    for off in (0, 3, 16 - n):
        case('ldx-%s-off%d' % (size, off), 'load %s from memory at +%d (little-endian, zero-extended)' % (size, off), f"""
             r0 = *({size} *)(r1 +{off})
             exit
             """, le(MEM[off:off + n]), mem=MEM)
for size, n in (('s8', 1), ('s16', 2), ('s32', 4)):
    case('ldsx-%s-neg' % size, 'ldsx %s: sign-extends a negative value to 64 bits' % size, f"""
         r0 = *({size} *)(r1 +1)
         exit
         """, sx(le(MEM[1:1 + n]), 8 * n) & M64, mem=MEM)
    pos = [0x7f, 0x11, 0x22, 0x33, 0x44][:n - 1] + [0x7f] if n > 1 else [0x7f]
    case('ldsx-%s-pos' % size, 'ldsx %s of a positive value' % size, f"""
         r0 = *({size} *)(r1 +0)
         exit
         """, le(pos), mem=pos + [0xff])
case('ldx-same-reg', 'a load whose destination is its base register', """
     r1 = *(u16 *)(r1 +1)
     r0 = r1
     exit
     """, 0x8382, mem=MEM)
case('ldx-zero-extends', 'a narrow load replaces the whole destination register (zero-extended)', """
     r0 = -1
     r0 = *(u8 *)(r1 +0)
     exit
     """, MEM[0], mem=MEM)
case('mem-len', 'r2 holds the length of the input memory', """
     r0 = r2
     exit
     """, 5, mem=[1, 2, 3, 4, 5])
case('mem-negative-offset', 'a load with a negative offset from an advanced pointer', """
     r1 += 8
     r0 = *(u8 *)(r1 -3)
     exit
     """, MEM[5], mem=MEM)

# ---------------------------------------------------------------- stores, stack and memory
for size, n in (('u8', 1), ('u16', 2), ('u32', 4), ('u64', 8)):
    case('stx-stack-%s' % size, 'store %s from a register to the stack, load it back (upper bytes of the slot untouched)' % size, f"""
         r2 = -1
         *(u64 *)(r10 -8) = r2
         {lddw(1, 0x1122334455667788)}
         *({size} *)(r10 -8) = r1
         r0 = *(u64 *)(r10 -8)
         exit
         """, (M64 & ~((1 << (8 * n)) - 1)) | (0x1122334455667788 & ((1 << (8 * n)) - 1)))
    case('st-stack-%s' % size, 'store %s immediate -2 to the stack (sign-extended imm, truncated to the size)' % size, f"""
         r2 = 0
         *(u64 *)(r10 -16) = r2
         *({size} *)(r10 -16) = -2
         r0 = *(u64 *)(r10 -16)
         exit
         """, (-2) & ((1 << (8 * n)) - 1))
    case('stx-mem-%s' % size, 'store %s to the input memory, then read the whole buffer' % size, f"""
         {lddw(2, 0xa1a2a3a4a5a6a7a8)}
         *({size} *)(r1 +0) = r2
         r0 = *(u64 *)(r1 +0)
         exit
         """, le(list((0xa1a2a3a4a5a6a7a8 & ((1 << (8 * n)) - 1)).to_bytes(n, 'little')) + [0] * (8 - n)),
         mem=[0] * 8)
    case('st-mem-%s' % size, 'store %s immediate to memory at an offset' % size, f"""
         *({size} *)(r1 +2) = 0x5a
         r0 = *(u64 *)(r1 +0)
         exit
         """, le(([0xee, 0xee] + list((0x5a).to_bytes(n, 'little')) + [0xee] * 8)[:8]), mem=[0xee] * 10)
case('stack-little-endian', 'a u64 stored on the stack reads back byte by byte in little-endian order', """
     r1 = 0x0102
     *(u64 *)(r10 -8) = r1
     r0 = *(u8 *)(r10 -8)
     r2 = *(u8 *)(r10 -7)
     r0 <<= 8
     r0 |= r2
     exit
     """, 0x0201)
case('stack-deep', 'the bottom of the 512-byte frame is usable', """
     r1 = 77
     *(u64 *)(r10 -512) = r1
     r0 = *(u64 *)(r10 -512)
     exit
     """, 77)
case('stack-pointer-arith', 'a pointer into the stack computed from r10', """
     r2 = r10
     r2 += -24
     r3 = 99
     *(u32 *)(r2 +4) = r3
     r0 = *(u32 *)(r10 -20)
     exit
     """, 99)

# ---------------------------------------------------------------- jumps: every op, JMP and JMP32, imm and reg
JOPS = {'jeq': '==', 'jne': '!=', 'jgt': '>', 'jge': '>=', 'jlt': '<', 'jle': '<=', 'jset': '&',
        'jsgt': 's>', 'jsge': 's>=', 'jslt': 's<', 'jsle': 's<='}
def jtaken(op, width, a, b):
    m = M64 if width == 64 else M32
    a, b = a & m, b & m
    sa = s64(a) if width == 64 else s32(a)
    sb = s64(b) if width == 64 else s32(b)
    return {'jeq': a == b, 'jne': a != b, 'jgt': a > b, 'jge': a >= b, 'jlt': a < b, 'jle': a <= b,
            'jset': (a & b) != 0, 'jsgt': sa > sb, 'jsge': sa >= sb, 'jslt': sa < sb, 'jsle': sa <= sb}[op]
# pairs chosen so unsigned and signed orders disagree, and equal values hit the >=/<= edge
JPAIRS = {
    64: [(M64, 1), (1, M64), (5, 5), (0x8000000000000000, 0x7fffffffffffffff)],
    32: [(0xffffffff, 1), (0x1_00000001, 0x2_00000001), (0x7fffffff, 0x80000000), (0x3_00000000, 0)],
}
for width in (64, 32):
    reg = 'r' if width == 64 else 'w'
    for op, sym in JOPS.items():
        for i, (a, b) in enumerate(JPAIRS[width]):
            t = jtaken(op, width, a, b)
            case('%s%s-reg-%d' % (op, '32' if width == 32 else '', i),
                 '%s %s (%s) 0x%x, 0x%x: %s' % ('JMP32' if width == 32 else 'JMP', op, sym, a, b, 'taken' if t else 'not taken'),
                 f"""
                 {lddw(1, a)}
                 {lddw(2, b)}
                 r0 = 1
                 if {reg}1 {sym} {reg}2 goto taken
                 r0 = 2
                 taken:
                 exit
                 """, 1 if t else 2)
        # imm form: the immediate is sign-extended to 64 bits for JMP, used as 32 bits for JMP32
        for i, (a, imm) in enumerate([(M64, -1), (0xffffffff, -1), (2, -2), (0x80000000, 0x7fffffff)]):
            t = jtaken(op, width, a, imm & M64)
            case('%s%s-imm-%d' % (op, '32' if width == 32 else '', i),
                 '%s %s (%s) 0x%x, imm %d: %s' % ('JMP32' if width == 32 else 'JMP', op, sym, a, imm, 'taken' if t else 'not taken'),
                 f"""
                 {lddw(1, a)}
                 r0 = 1
                 if {reg}1 {sym} {imm} goto taken
                 r0 = 2
                 taken:
                 exit
                 """, 1 if t else 2)
case('ja', 'goto skips instructions', """
     r0 = 1
     goto out
     r0 = 2
     out:
     exit
     """, 1)
case('gotol', 'gotol (JMP32 ja, 32-bit offset in imm)', """
     r0 = 1
     gotol out
     r0 = 2
     out:
     exit
     """, 1)
case('ja-backward', 'a backward goto forms a loop', """
     r0 = 0
     r1 = 0
     top:
     r0 += 3
     r1 += 1
     if r1 == 4 goto out
     goto top
     out:
     exit
     """, 12)
case('exit-not-last', 'exit in the middle ends the program', """
     r0 = 5
     exit
     r0 = 6
     exit
     """, 5)
case('r0-initial', 'registers other than r1, r2 and r10 are zero at entry', """
     r0 += r3
     r0 += r4
     r0 += r5
     r0 += r6
     r0 += r7
     r0 += r8
     r0 += r9
     exit
     """, 0)

# ---------------------------------------------------------------- lddw
case('lddw-max', 'lddw loads all 64 bits', f"""
     {lddw(0, 0xfedcba9876543210)}
     exit
     """, 0xfedcba9876543210)
case('lddw-low-negative', 'lddw: the low 32-bit half is not sign-extended into the high half', """
     r0 = 0x80000000 ll
     exit
     """, 0x80000000)
case('lddw-then-jump', 'a jump over an lddw counts its two slots', """
     r0 = 1
     goto out
     r0 = 0x1122334455667788 ll
     out:
     exit
     """, 1)

# ---------------------------------------------------------------- atomics
AOPS = {'add': '+=', 'or': '|=', 'and': '&=', 'xor': '^='}
def aop(op, a, b, m):
    return {'add': (a + b), 'or': a | b, 'and': a & b, 'xor': a ^ b}[op] & m
INIT64, SRC64 = 0x0f0f0f0f_f0f0f0f0, 0x1111111133333333
INIT32, SRC32 = 0xf0f0f0f0, 0x33333333
for width in (64, 32):
    ty = 'u64' if width == 64 else 'u32'
    m = M64 if width == 64 else M32
    init = INIT64 if width == 64 else INIT32
    src = SRC64 if width == 64 else (SRC32 | 0xabcd000000000000)
    for op, sym in AOPS.items():
        new = aop(op, init, src & m, m)
        case('atomic%d-%s' % (width, op), 'lock %s (%d-bit) on the stack, no fetch: the source register is unchanged' % (op, width), f"""
             {lddw(1, init)}
             *({ty} *)(r10 -8) = r1
             {lddw(2, src)}
             lock *({ty} *)(r10 -8) {sym} r2
             r0 = *({ty} *)(r10 -8)
             r0 ^= r2
             exit
             """, new ^ src)
        case('atomic%d-fetch-%s' % (width, op), 'atomic_fetch_%s (%d-bit): the source gets the old value%s' % (
                op, width, ', zero-extended' if width == 32 else ''), f"""
             {lddw(1, init)}
             *({ty} *)(r10 -8) = r1
             {lddw(2, src)}
             r2 = atomic{'64' if width == 64 else ''}_fetch_{op}(({ty} *)(r10 -8), r2)
             r0 = *({ty} *)(r10 -8)
             r0 <<= {32 if width == 32 else 0}
             r0 += r2
             exit
             """, ((new << (32 if width == 32 else 0)) + init) & M64)
        case('atomic%d-%s-mem' % (width, op), 'lock %s (%d-bit) on the input memory' % (op, width), f"""
             {lddw(2, src)}
             lock *({ty} *)(r1 +8) {sym} r2
             r0 = *(u64 *)(r1 +8)
             exit
             """, (aop(op, le(MEM[8:8 + width // 8]), src & m, m) | (le(MEM[8:16]) & ~m & M64)), mem=MEM)
    a = 'atomic64' if width == 64 else 'atomic'
    case('atomic%d-xchg' % width, 'xchg (%d-bit): memory gets the source, the source gets the old value' % width, f"""
         {lddw(1, init)}
         *({ty} *)(r10 -8) = r1
         {lddw(2, src)}
         r2 = {a}_xchg(({ty} *)(r10 -8), r2)
         r0 = *({ty} *)(r10 -8)
         r0 -= r2
         exit
         """, ((src & m) - init) & M64)
    case('atomic%d-cmpxchg-hit' % width, 'cmpxchg (%d-bit) when memory equals r0: stores the source, r0 = old value' % width, f"""
         {lddw(1, init)}
         *({ty} *)(r10 -8) = r1
         {lddw(0, init | (0x7700000000000000 if width == 32 else 0))}
         {lddw(2, src)}
         r0 = {a}_cmpxchg(({ty} *)(r10 -8), r0, r2)
         r3 = *({ty} *)(r10 -8)
         if r3 != {'r2' if width == 64 else 'w2'} goto fail
         exit
         fail:
         r0 = 1
         exit
         """ if width == 64 else f"""
         {lddw(1, init)}
         *({ty} *)(r10 -8) = r1
         {lddw(0, init | 0x7700000000000000)}
         {lddw(2, src)}
         r0 = {a}_cmpxchg(({ty} *)(r10 -8), r0, r2)
         r3 = *({ty} *)(r10 -8)
         if w3 != w2 goto fail
         exit
         fail:
         r0 = 1
         exit
         """, init)
    case('atomic%d-cmpxchg-miss' % width, 'cmpxchg (%d-bit) when memory differs from r0: memory unchanged, r0 = old value' % width, f"""
         {lddw(1, init)}
         *({ty} *)(r10 -8) = r1
         r0 = 5
         {lddw(2, src)}
         r0 = {a}_cmpxchg(({ty} *)(r10 -8), r0, r2)
         r3 = *({ty} *)(r10 -8)
         r0 ^= r3
         exit
         """, 0)
    case('atomic%d-cmpxchg-miss-r0' % width, 'cmpxchg (%d-bit) miss: r0 holds the old value%s' % (width, ' zero-extended' if width == 32 else ''), f"""
         {lddw(1, init)}
         *({ty} *)(r10 -8) = r1
         r0 = -1
         r2 = 0
         r0 = {a}_cmpxchg(({ty} *)(r10 -8), r0, r2)
         exit
         """, init)

# ---------------------------------------------------------------- calls
case('call-local', 'bpf-to-bpf call: r1-r5 pass arguments, r0 returns', """
     r1 = 1
     r2 = 2
     r3 = 3
     r4 = 4
     r5 = 5
     call sum5
     exit
     sum5:
     r0 = r1
     r0 += r2
     r0 += r3
     r0 += r4
     r0 += r5
     exit
     """, 15)
case('call-preserves-r6-r9', 'r6-r9 are callee-saved across a bpf-to-bpf call', """
     r6 = 6
     r7 = 7
     r8 = 8
     r9 = 9
     call clobber
     r0 = r6
     r0 <<= 8
     r0 |= r7
     r0 <<= 8
     r0 |= r8
     r0 <<= 8
     r0 |= r9
     exit
     clobber:
     r6 = 0
     r7 = 0
     r8 = 0
     r9 = 0
     r0 = 0
     exit
     """, 0x06070809)
case('call-own-stack-frame', 'a callee has its own stack frame: its r10 -8 is not the caller\'s', """
     r1 = 111
     *(u64 *)(r10 -8) = r1
     call writer
     r0 = *(u64 *)(r10 -8)
     exit
     writer:
     r1 = 222
     *(u64 *)(r10 -8) = r1
     r0 = 0
     exit
     """, 111)
case('call-pointer-to-caller-stack', 'a callee writes through a pointer into its caller\'s frame', """
     r1 = r10
     r1 += -8
     r2 = 0
     *(u64 *)(r10 -8) = r2
     call store
     r0 = *(u64 *)(r10 -8)
     exit
     store:
     r2 = 4242
     *(u64 *)(r1 +0) = r2
     r0 = 0
     exit
     """, 4242)
case('call-r10-restored', 'r10 is the caller\'s frame pointer again after the call returns', """
     r6 = r10
     call f
     r0 = r10
     r0 -= r6
     exit
     f:
     r0 = 1
     exit
     """, 0)
case('call-nested', 'three nested bpf-to-bpf calls', """
     r1 = 1
     call f1
     exit
     f1:
     r6 = r1
     r1 += 10
     call f2
     r0 += r6
     exit
     f2:
     r6 = r1
     r1 += 100
     call f3
     r0 += r6
     exit
     f3:
     r0 = r1
     exit
     """, 111 + 11 + 1)
case('call-recursive', 'recursion: factorial of 5 through bpf-to-bpf calls (depth 6)', """
     r1 = 5
     call fact
     exit
     fact:
     if r1 != 0 goto rec
     r0 = 1
     exit
     rec:
     r6 = r1
     r1 -= 1
     call fact
     r0 *= r6
     exit
     """, 120)
case('call-ktime', 'call bpf_ktime_get_ns (helper 5): a positive, non-decreasing clock', """
     call bpf_ktime_get_ns
     r6 = r0
     call bpf_ktime_get_ns
     r0 -= r6
     if r0 s< 0 goto bad
     if r6 == 0 goto bad
     r0 = 1
     exit
     bad:
     r0 = 2
     exit
     """, 1)
case('call-helper-preserves-r6', 'a helper call keeps r6-r9', """
     r6 = 66
     r9 = 99
     call bpf_ktime_get_ns
     r0 = r6
     r0 += r9
     exit
     """, 165)
case('callx-helper', 'callx with the helper id in a register (conformance group callx)', """
     r6 = 7
     r2 = 5
     callx r2
     if r0 == 0 goto bad
     r0 = r6
     exit
     bad:
     r0 = 1
     exit
     """, 7)

case('callx-subprog', 'callx with a subprogram address from lddw src=4 (PSEUDO_FUNC), as LLVM emits indirect calls', """
     r1 = subprog[f] ll
     r6 = 3
     callx r1
     r0 += r6
     exit
     f:
     r6 = 100
     r0 = 39
     exit
     """, 42)

# ---------------------------------------------------------------- loops and small programs
case('loop-sum', 'a bounded loop: sum of 1..100', """
     r0 = 0
     r1 = 1
     loop:
     r0 += r1
     r1 += 1
     if r1 <= 100 goto loop
     exit
     """, 5050)
case('loop-memory-checksum', 'a loop over the input memory adding its bytes', """
     r0 = 0
     r3 = r1
     r3 += r2
     loop:
     if r1 >= r3 goto out
     r4 = *(u8 *)(r1 +0)
     r0 += r4
     r1 += 1
     goto loop
     out:
     exit
     """, sum(MEM), mem=MEM)
case('loop-fib32', 'fibonacci(40) in 32-bit arithmetic wraps nothing', """
     w0 = 0
     w1 = 1
     w2 = 40
     loop:
     if w2 == 0 goto out
     w3 = w0
     w3 += w1
     w0 = w1
     w1 = w3
     w2 -= 1
     goto loop
     out:
     exit
     """, 102334155)

# ---------------------------------------------------------------- faults: programs that must not run to completion
case('fault-load-past-memory', 'a load past the end of the input memory is refused', """
     r0 = *(u64 *)(r1 +4)
     exit
     """, error='invalid read', mem=[1, 2, 3, 4, 5, 6, 7, 8])
case('fault-store-below-stack', 'a store below the 512-byte frame is refused', """
     r1 = 1
     *(u64 *)(r10 -520) = r1
     r0 = 0
     exit
     """, error='invalid write')
case('fault-null-load', 'a load through a null pointer is refused', """
     r1 = 0
     r0 = *(u8 *)(r1 +0)
     exit
     """, error='null pointer')
case('fault-infinite-loop', 'a program that never exits is stopped by the instruction limit', """
     r0 = 0
     top:
     r0 += 1
     goto top
     """, error='1000000 instructions')
case('fault-call-depth', 'unbounded recursion exceeds the 8-frame call limit', """
     call f
     exit
     f:
     call f
     exit
     """, error='8 frames')

case('fault-ld-abs', 'legacy packet loads (BPF_LD|BPF_ABS) are refused: the kernel allows them only for socket programs, never XDP', """
     r0 = *(u8 *)skb[1]
     exit
     """, error='BPF_ABS', mem=[0xaa, 0xbb, 0xcc])

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, text in cases.items():
    with open(os.path.join(out, name + '.txt'), 'w') as f:
        f.write(text)
print(len(cases), 'cases')
