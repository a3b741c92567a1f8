// build: -mcpu=v4
// A sign-extending move of a bounded number keeps its bounds (coerce_reg_to_size_sx()): (s32) of a value
// in [0, 8] is still in [0, 8], so it is a fine stack offset. The kernel accepts it.
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_ok_movsx_varoff(void)
{
	asm volatile(
	"r2 = *(u32 *)(r1 + 16);"
	"r2 &= 8;"
	"r2 = (s32)r2;"
	"w3 = (s8)w2;"
	"r4 = r10;"
	"r4 += -16;"
	"r4 += r2;"
	"r5 = 7;"
	"*(u64 *)(r10 - 16) = r5;"
	"*(u64 *)(r10 - 8) = r5;"
	"r0 = *(u8 *)(r4 + 0);"
	"r0 &= 3;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
