/**
 * The map types, with the kernel's semantics (kernel/bpf/arraymap.c, hashtab.c, lpm_trie.c, devmap.c,
 * cpumap.c, net/xdp/xskmap.c, ringbuf.c): {@link dev.jxdp.ebpf.maps.Maps#create} turns a
 * {@link dev.jxdp.ebpf.maps.MapSpec} into a live {@link dev.jxdp.ebpf.maps.BpfMap}.
 *
 * <p>Every map owns a shared arena, closed by {@code close()}, and preallocates its values in slabs, so a
 * value pointer is a plain native address that stays valid while the map lives. {@code regions()} lists
 * the map object (kind MAP_OBJECT, base = {@code handle()}), the value slabs (MAP_VALUE, read-only for
 * .rodata, BPF_F_RDONLY_PROG and the redirect maps), the hash keys and array iteration keys (MAP_VALUE,
 * read-only) and a ring buffer's data (RINGBUF). The program side takes native addresses and allocates
 * nothing; the user side takes byte arrays, as the bpf syscall does.
 *
 * <p>Where jxdp knowingly differs from the kernel:
 * <ul>
 * <li>LRU hashes evict the exact least recently used element, one at a time; the kernel's LRU is
 *     approximate, evicts in batches and, with BPF_F_NO_COMMON_LRU, per CPU share ({@link HashTab}).</li>
 * <li>Updating an existing hash, LRU or LPM element rewrites its value in place; the kernel swaps in a
 *     new element, so a program still holding the old value pointer sees the old value there.</li>
 * <li>No sockets or program fds: a DEVMAP checks its ifindex only against the devices a datapath gives
 *     it ({@link DevMap#setDeviceCheck}; none in test-run, where any non-zero ifindex is kept), entry
 *     programs come through {@link EntryProgramMap#updateWithProgram} and a positive fd in a byte update
 *     is refused as the kernel refuses an fd naming no fitting program (DEVMAP -EINVAL, CPUMAP -ENOMEM),
 *     XSKMAP updates fail with -ENOTSOCK, PROG_ARRAY slots are filled with {@link ProgArray#set},
 *     ARRAY_OF_MAPS / HASH_OF_MAPS entries with {@link OuterMap#put} (a byte update is -EINVAL for both),
 *     PERF_EVENT_ARRAY slots get readers through {@link PerfEventArray#attach} (a byte update is -EBADF).</li>
 * <li>A bpf_spin_lock in an ARRAY or HASH value (its offset from BTF) is never overwritten by an update
 *     (copy_map_value()); with BPF_F_LOCK an update copies holding that lock, which is -EINVAL for a value
 *     without one, as the kernel answers. A lookup from user space shows the lock word as 0
 *     (check_and_init_map_value()).</li>
 * <li>Per-CPU user updates also accept one {@code value_size} value, copied to every CPU (as bpftool
 *     does).</li>
 * </ul>
 */
package dev.jxdp.ebpf.maps;
