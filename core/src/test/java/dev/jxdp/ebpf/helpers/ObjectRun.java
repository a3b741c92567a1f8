package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.interp.Interpreter;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.ExecState;
import dev.jxdp.ebpf.runtime.XdpBuff;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A test object from core/src/test/bpf loaded and run by the interpreter, as test-run would. */
final class ObjectRun implements AutoCloseable {
    static final Path BPF_DIR = Path.of(System.getProperty("jxdp.repo", "."), "core/src/test/bpf");

    final Arena arena = Arena.ofShared();
    final BpfCollection coll;
    final ExecState st;
    final XdpBuff buff;
    final Interpreter interp = new Interpreter();
    final List<String> trace = new ArrayList<>();

    ObjectRun(String object) {
        coll = BpfCollection.load(ElfLoader.load(BPF_DIR.resolve(object)));
        // verified as test-run's load verifies them: what the verifier decides at acceptance (the bpf_loop
        // calls the kernel inlines) is part of the loaded program; one it rejects still runs here, unverified
        for (dev.jxdp.ebpf.runtime.BpfProgram p : coll.programs()) {
            if (p.runnable()) {
                dev.jxdp.ebpf.verifier.Verifier.verify(p, dev.jxdp.ebpf.verifier.Verifier.Mode.FULL, false);
            }
        }
        st = coll.newExecState(0);
        st.traceTo(trace::add);
        buff = XdpBuff.allocate(arena);
    }

    long run(byte[] packet) {
        return run(coll.programs().get(0).name(), packet);
    }

    long run(String program, byte[] packet) {
        buff.load(packet);
        st.begin(buff);
        return interp.run(coll.program(program), st);
    }

    /** The value at a u32 key of a map, as BPF_MAP_LOOKUP_ELEM gives it. */
    byte[] value(String map, int key) {
        return coll.map(map).userLookup(new byte[] {(byte) key, (byte) (key >> 8), (byte) (key >> 16), (byte) (key >> 24)});
    }

    long s64(String map, int key) {
        byte[] v = value(map, key);
        long x = 0;
        for (int i = 7; i >= 0; i--) {
            x = x << 8 | (v[i] & 0xff);
        }
        return x;
    }

    @Override
    public void close() {
        coll.close();
        arena.close();
    }
}
