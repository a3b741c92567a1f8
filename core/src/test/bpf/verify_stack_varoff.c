// A stack write and read at a variable but bounded offset (fp-16 + [0, 7]). The kernel allows it
// for a privileged program (check_stack_write_var_off(), check_stack_read_var_off()).
#include "oracle_net.h"

SEC("xdp")
__attribute__((naked)) int xdp_stack_varoff(void)
{
	asm volatile(
	"r2 = *(u32 *)(r1 + 16);"
	"r2 &= 7;"
	"r3 = r10;"
	"r3 += -16;"
	"r3 += r2;"
	"r4 = 1;"
	"*(u8 *)(r3 + 0) = r4;"
	"r0 = *(u8 *)(r3 + 0);"
	"r0 &= 3;"
	"exit;"
	::: "memory");
}

char _license[] SEC("license") = "GPL";
