// Programs the kernel (6.18) accepts only because its bounds tracking proves a path dead; each marks
// that path with a division by the constant 0, which the verifier refuses wherever it reaches it. jxdp
// must prove the same and explore as many instructions as the kernel does (the processed counts are
// compared).
#include "oracle_net.h"

#define RND "call %[rnd];"
#define DEAD "r0 /= 0;"
#define IMMS :: [rnd]"i"(BPF_FUNC_get_prandom_u32) : "memory"

// r1 = r0 - 4 stays linked to r0 (a negative delta): r1 s>= 0 means r0 >= 4
SEC("xdp")
__attribute__((naked)) int linked_sub(void)
{
	asm volatile(RND "r0 &= 0x3f; r1 = r0; r1 -= 4; if r1 s< 0 goto 1f; if r0 >= 4 goto 1f;" DEAD
	"1: r0 = 2; exit;" IMMS);
}

// the same through 32-bit arithmetic on a value whose upper half is zero
SEC("xdp")
__attribute__((naked)) int linked_alu32(void)
{
	asm volatile(RND "w0 &= 0xfff; w1 = w0; w1 += -16; if w1 s< 0 goto 1f; if w0 >= 16 goto 1f;" DEAD
	"1: r0 = 2; exit;" IMMS);
}

// x s>> 63 is 0 or -1; ORed with a constant, each case is its own known value (maybe_fork_scalars())
SEC("xdp")
__attribute__((naked)) int or_fork(void)
{
	asm volatile(RND "r0 <<= 40; r0 s>>= 63; r0 |= 6; if r0 == 6 goto 1f; if r0 == -1 goto 1f;" DEAD
	"1: r0 = 2; exit;" IMMS);
}

// known bits 0x101 allow 0, 1, 0x100, 0x101; between 2 and 0x100 only 0x100 is left (tnum_step())
SEC("xdp")
__attribute__((naked)) int tnum_single(void)
{
	asm volatile(RND "r0 &= 0x101; if r0 <= 1 goto 1f; if r0 > 0x100 goto 1f; if r0 == 0x100 goto 1f;" DEAD
	"1: r0 = 2; exit;" IMMS);
}

// {1, 3} * 3 is {3, 9}: bit 2 is clear in both (tnum_mul() keeps it known)
SEC("xdp")
__attribute__((naked)) int mul_known_bits(void)
{
	asm volatile(RND "r0 &= 2; r0 += 1; r0 *= 3; r0 &= 4; if r0 == 0 goto 1f;" DEAD
	"1: r0 = 2; exit;" IMMS);
}

// <<32 then s>>32 of a value in [-128, 127] keeps [-128, 127], negative half included
SEC("xdp")
__attribute__((naked)) int sext_by_shifts(void)
{
	asm volatile(RND "r0 &= 0xff; r0 -= 128; r0 <<= 32; r0 s>>= 32; if r0 s< -128 goto 2f; if r0 s> 127 goto 2f;"
	"r0 = 2; exit; 2:" DEAD "r0 = 2; exit;" IMMS);
}

// a u32 range [0x7ffffff0, 0x8000000f] that must also be s32 >= -0x7ffffff0 is [0x7ffffff0, 0x7fffffff]
SEC("xdp")
__attribute__((naked)) int s32_crossing(void)
{
	asm volatile(RND "w0 &= 0x1f; w0 += 0x7ffffff0; if w0 s< -0x7ffffff0 goto 1f; if w0 s>= 0x7ffffff0 goto 1f;" DEAD
	"1: r0 = 2; exit;" IMMS);
}

// a register compared with itself: 6.18 decides nothing and explores both sides
SEC("xdp")
__attribute__((naked)) int same_register(void)
{
	asm volatile(RND "r0 &= 0x80; if r0 == r0 goto 1f; r0 = 1; exit; 1: if r0 > r0 goto 2f; r0 = 2; exit; 2: r0 = 3; exit;"
	IMMS);
}

// a static function may return nothing in r0: its caller only may not read it
static __attribute__((noinline, naked, used)) void touch(void)
{
	asm volatile("r1 = 1; exit;" ::: "memory");
}

SEC("xdp")
__attribute__((naked)) int subprog_no_r0(void)
{
	asm volatile("call touch; r0 = 2; exit;" ::: "memory");
}

char _license[] SEC("license") = "GPL";
