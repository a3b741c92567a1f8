// The instructions clang-19 cannot emit yet, written out: load-acquire and store-release (kernel 6.15+,
// BPF_ATOMIC with imm BPF_LOAD_ACQ / BPF_STORE_REL, every size) on the stack and on a map value, and a
// may_goto loop (kernel 6.9+) bounded by the frame. The differential suite runs them in the kernel.
#include "oracle_net.h"

// BPF_STX | BPF_ATOMIC | size, the registers, the offset and the operation, as one little-endian word
#define ATOMIC_INSN(size, dst, src, off, imm) \
	((0x03 | 0xc0 | (size)) | ((dst) | (src) << 4) << 8 | (unsigned long long)(unsigned short)(off) << 16 \
	 | (unsigned long long)(imm) << 32)
#define B 0x10
#define H 0x08
#define W 0x00
#define DW 0x18
#define LOAD_ACQ 0x100
#define STORE_REL 0x110

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cell SEC(".maps");

// the frame's first 8 bytes go through the stack and the map value by release and acquire, in every
// size; the action is what comes back, folded to 0..3
SEC("xdp")
__attribute__((naked)) int xdp_acq_rel(void)
{
	asm volatile(
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r4 = r2;"
	"r4 += 8;"
	"if r4 > r3 goto 1f;"
	"r6 = *(u64 *)(r2 + 0);"
	"r1 = 0;"
	"*(u64 *)(r10 - 8) = r1;"
	"*(u32 *)(r10 - 12) = r1;"
	".8byte %[rel64_stack];"          // store_release((u64 *)(r10 - 8), r6)
	".8byte %[acq32_stack];"          // r7 = load_acquire((u32 *)(r10 - 8))
	".8byte %[acq16_stack];"          // r8 = load_acquire((u16 *)(r10 - 6))
	"r2 = r10;"
	"r2 += -12;"
	"r1 = %[cell] ll;"
	"call %[lookup];"
	"if r0 == 0 goto 1f;"
	".8byte %[rel8_map];"             // store_release((u8 *)(r0 + 1), r8)
	".8byte %[rel16_map];"            // store_release((u16 *)(r0 + 2), r7)
	".8byte %[acq64_map];"            // r9 = load_acquire((u64 *)(r0 + 0))
	"r9 += r7;"
	"r9 ^= r8;"
	"r0 = r9;"
	"r0 &= 3;"
	"exit;"
	"1: r0 = 2;"
	"exit;"
	:: [cell]"i"(&cell), [lookup]"i"(BPF_FUNC_map_lookup_elem),
	   [rel64_stack]"i"(ATOMIC_INSN(DW, 10, 6, -8, STORE_REL)),
	   [acq32_stack]"i"(ATOMIC_INSN(W, 7, 10, -8, LOAD_ACQ)),
	   [acq16_stack]"i"(ATOMIC_INSN(H, 8, 10, -6, LOAD_ACQ)),
	   [rel8_map]"i"(ATOMIC_INSN(B, 0, 8, 1, STORE_REL)),
	   [rel16_map]"i"(ATOMIC_INSN(H, 0, 7, 2, STORE_REL)),
	   [acq64_map]"i"(ATOMIC_INSN(DW, 9, 0, 0, LOAD_ACQ))
	: "memory");
}

// counts to the frame's length while may_goto lets it (it always does for frames this size), then adds
// a second count that only a constant bounds
SEC("xdp")
__attribute__((naked)) int xdp_may_goto(void)
{
	asm volatile(
	"r2 = *(u32 *)(r1 + 0);"
	"r3 = *(u32 *)(r1 + 4);"
	"r3 -= r2;"
	"r6 = 0;"
	"r7 = 0;"
	"2: may_goto 3f;"
	"r6 += 1;"
	"if r6 < r3 goto 2b;"
	"3: may_goto 4f;"
	"r7 += 5;"
	"if r7 < 300 goto 3b;"
	"4: r0 = r6;"
	"r0 += r7;"
	"r0 &= 3;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
