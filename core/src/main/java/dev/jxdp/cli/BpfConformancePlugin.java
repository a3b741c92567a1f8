package dev.jxdp.cli;

import dev.jxdp.ebpf.BpfException;
import dev.jxdp.ebpf.elf.ElfLoader;
import dev.jxdp.ebpf.elf.ObjectSpec;
import dev.jxdp.ebpf.elf.ProgramSpec;
import dev.jxdp.ebpf.interp.Interpreter;
import dev.jxdp.ebpf.jit.JitCompiler;
import dev.jxdp.ebpf.isa.Insn;
import dev.jxdp.ebpf.mem.Region;
import dev.jxdp.ebpf.mem.Sandbox;
import dev.jxdp.ebpf.runtime.BpfCollection;
import dev.jxdp.ebpf.runtime.BpfFault;
import dev.jxdp.ebpf.runtime.ExecState;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bpf_conformance suite's plugin protocol (github.com/Alan-Jowett/bpf_conformance, "plugins"):
 * {@code jxdp-bpf-plugin [MEMORY-HEX] [--engine interp|jit] [--elf]}. The optional first argument is the
 * input memory as hex bytes; stdin holds the program as hex bytes of 8-byte instructions (or, with
 * {@code --elf}, an ELF object). The program runs with r1 = a copy of the memory, r2 = its length, and
 * r0 is printed in hex. A program that does not load or faults prints the reason on stderr, exit 1; bad
 * arguments exit 2.
 */
public final class BpfConformancePlugin {
    private BpfConformancePlugin() {}

    public static void main(String[] args) {
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs the plugin with these streams; returns the exit status. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String memoryHex = null;
        String engine = "interp";
        boolean elf = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--elf")) {
                elf = true;
            } else if (a.equals("--engine") && i + 1 < args.length) {
                engine = args[++i];
            } else if (a.startsWith("--engine=")) {
                engine = a.substring("--engine=".length());
            } else if (a.startsWith("--")) {
                err.println("jxdp-bpf-plugin: unknown option " + a
                        + " (usage: jxdp-bpf-plugin [MEMORY-HEX] [--engine interp|jit] [--elf])");
                return 2;
            } else if (i == 0) {
                memoryHex = a;
            } else {
                err.println("jxdp-bpf-plugin: unexpected argument " + a + ": the memory must come first");
                return 2;
            }
        }
        if (!engine.equals("interp") && !engine.equals("jit")) {
            err.println("jxdp-bpf-plugin: unknown engine " + engine + ": want interp or jit");
            return 2;
        }
        byte[] memory;
        byte[] program;
        try {
            memory = memoryHex == null ? new byte[0] : hex(memoryHex, "memory");
            program = hex(new String(in.readAllBytes(), StandardCharsets.US_ASCII), "program");
        } catch (IOException e) {
            err.println("jxdp-bpf-plugin: cannot read the program from stdin: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("jxdp-bpf-plugin: " + e.getMessage());
            return 2;
        }
        try {
            ObjectSpec spec = elf ? ElfLoader.parse(program, "stdin") : raw(program);
            if (spec.programs().isEmpty()) {
                throw new BpfException("the object has no program");
            }
            try (BpfCollection coll = BpfCollection.load(spec); Arena arena = Arena.ofConfined()) {
                long r0 = execute(coll, arena, memory, engine.equals("jit"));
                out.println(Long.toHexString(r0));
                return 0;
            }
        } catch (BpfException | BpfFault e) {
            err.println(e.getMessage());
            return 1;
        }
    }

    private static long execute(BpfCollection coll, Arena arena, byte[] memory, boolean jit) {
        long r1 = 0;
        if (memory.length > 0) {
            MemorySegment mem = Sandbox.allocate(arena, memory.length, 8);
            MemorySegment.copy(memory, 0, mem, ValueLayout.JAVA_BYTE, 0, memory.length);
            coll.space().add(new Region("memory", Region.Kind.OTHER, mem, true, null));
            r1 = mem.address();
        }
        ExecState st = coll.newExecState(0);
        st.begin(null);
        if (jit) {
            return JitCompiler.compile(coll.programs().get(0)).runRaw(st, r1, memory.length);
        }
        return new Interpreter().runRaw(coll.programs().get(0), st, r1, memory.length);
    }

    private static ObjectSpec raw(byte[] code) {
        if (code.length == 0) {
            throw new BpfException("empty program");
        }
        if (code.length % Insn.SIZE != 0) {
            throw new BpfException("program size " + code.length + " is not a multiple of 8");
        }
        Insn[] insns = Insn.decodeAll(code, 0, code.length);
        ProgramSpec p = new ProgramSpec("conformance", "raw", insns, List.of(new ProgramSpec.Func(0, "conformance")), List.of());
        return new ObjectSpec("stdin", List.of(), List.of(p), "GPL");
    }

    /** Hex bytes, whitespace anywhere between bytes, an optional 0x before each. */
    static byte[] hex(String text, String what) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String tok : text.trim().split("\\s+")) {
            if (tok.isEmpty()) {
                continue;
            }
            String t = tok.startsWith("0x") || tok.startsWith("0X") ? tok.substring(2) : tok;
            if (t.length() % 2 != 0) {
                throw new IllegalArgumentException(what + ": odd number of hex digits in '" + tok + "'");
            }
            for (int i = 0; i < t.length(); i += 2) {
                int hi = Character.digit(t.charAt(i), 16);
                int lo = Character.digit(t.charAt(i + 1), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException(what + ": not hex: '" + tok + "'");
                }
                out.write(hi << 4 | lo);
            }
        }
        return out.toByteArray();
    }
}
