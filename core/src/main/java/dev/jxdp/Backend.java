package dev.jxdp;

import dev.jxdp.ebpf.maps.UserMap;
import dev.jxdp.ebpf.testrun.ProgTestRun;

/**
 * What an engine gives a loaded object: a way to test-run each program and raw access to each map, with
 * the bpf syscall's semantics. {@link JxdpBackend} is jxdp's own (interpreter and JIT); the kernel engine
 * plugs in as one more implementation. Package-private: the public face is {@link XdpObject}.
 */
interface Backend extends AutoCloseable {

    /** One program, ready to test-run. */
    interface Program {
        /** BPF_PROG_TEST_RUN; a {@link dev.jxdp.ebpf.BpfException} for a frame or queue the kernel refuses. */
        ProgTestRun.Result testRun(byte[] data, int repeat, int ingressIfindex, int rxQueue, boolean trace);
    }

    /** One map, as BPF_MAP_*_ELEM sees it: per-CPU values are {@link #cpus()} slots of round_up(size, 8). */
    interface RawMap {
        /** The value (all CPUs' for a per-CPU map), or null when absent. */
        byte[] lookup(byte[] key);

        /** 0 or -errno. */
        int update(byte[] key, byte[] value, long flags);

        /** 0 or -errno. */
        int delete(byte[] key);

        /** The key after {@code key} (the first when null), or null at the end. */
        byte[] nextKey(byte[] key);

        /** The CPUs a per-CPU value has a slot for. */
        int cpus();
    }

    /** A map of either engine through its user-side commands. */
    record MapView(UserMap map) implements RawMap {
        @Override
        public byte[] lookup(byte[] key) { return map.userLookup(key); }

        @Override
        public int update(byte[] key, byte[] value, long flags) { return map.userUpdate(key, value, flags); }

        @Override
        public int delete(byte[] key) { return map.userDelete(key); }

        @Override
        public byte[] nextKey(byte[] key) { return map.userNextKey(key); }

        @Override
        public int cpus() { return map.userCpus(); }
    }

    /** The program named, or null when this engine did not load it. */
    Program program(String name);

    /** The map named, or null. */
    RawMap map(String name);

    /** Frees everything; called once. */
    @Override
    void close();
}
