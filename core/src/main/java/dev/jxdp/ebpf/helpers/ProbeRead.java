package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;

/**
 * bpf_probe_read_kernel: a copy from any address, which must never fault. In jxdp, "kernel memory" is
 * the memory jxdp gives programs (packet frames, stacks, contexts, map values and objects, ring buffers,
 * global data): a read wholly inside one of its regions succeeds; any other address is unmapped. The
 * source is checked against those regions before a byte is read, so an arbitrary address never reaches
 * a raw access (the sandbox is not asked to absorb it).
 *
 * <p>A failed read zero-fills the destination, and its error is the one x86-64's
 * copy_from_kernel_nofault() gives: -ERANGE for an address the kernel refuses before trying
 * (copy_from_kernel_nofault_allowed(): user space below TASK_SIZE_MAX plus its guard page, the vsyscall
 * page, non-canonical addresses; NULL among them), -EFAULT for a kernel address with nothing mapped.
 * Where the real kernel would read its own data at a kernel address, jxdp has none to give: -EFAULT.
 */
final class ProbeRead {
    private ProbeRead() {}

    /** TASK_SIZE_MAX + PAGE_SIZE on x86-64 with 4-level page tables: every lower address is user space. */
    static final long USER_END = 0x0000_8000_0000_0000L;
    /** VSYSCALL_ADDR: the legacy vsyscall page, above TASK_SIZE_MAX but user memory all the same. */
    static final long VSYSCALL_PAGE = 0xffff_ffff_ff60_0000L;
    /** Virtual address bits (x86_virt_bits) with 4-level paging: bits 47-63 must agree. */
    static final int VIRT_BITS = 48;

    static long probeReadKernel(ExecState st, long dst, long size, long unsafePtr) {
        long n = size & 0xffffffffL;
        st.checkArg(dst, n, true, "bpf_probe_read_kernel", "dst");
        if (owned(st, unsafePtr, n)) {
            Mem.copy(unsafePtr, dst, n);
            return 0;
        }
        if (n != 0) {
            Mem.fill(dst, n, (byte) 0);
        }
        return refused(unsafePtr) ? -Errno.ERANGE : -Errno.EFAULT;
    }

    /** copy_from_kernel_nofault_allowed() is false for an address outside jxdp's memory. */
    static boolean refused(long addr) {
        if (Long.compareUnsigned(addr, USER_END) < 0 || (addr & ~0xfffL) == VSYSCALL_PAGE) {
            return true;
        }
        // __is_canonical_address(): bits 47-63 all set (the lower half is user space, done above)
        return addr >> (VIRT_BITS - 1) != -1L;
    }

    /** Whether [addr, addr + n) lies inside one region of memory jxdp gave the program. */
    static boolean owned(ExecState st, long addr, long n) {
        XdpBuff b = st.xdp();
        if (b != null && b.region().contains(addr, n)) {
            return true;
        }
        if (st.stackRegion().contains(addr, n) || st.ctxRegion().contains(addr, n)) {
            return true;
        }
        return st.space().find(addr, n) != null;
    }
}
