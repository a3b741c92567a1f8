package dev.jxdp.ebpf.testrun;

/** Which engine runs a program: the reference interpreter or the JIT to JVM bytecode. */
public enum Engine {
    INTERP, JIT;

    /** {@code interp} or {@code jit}, as the command line spells them. */
    public static Engine parse(String name) {
        return switch (name) {
            case "interp" -> INTERP;
            case "jit" -> JIT;
            default -> throw new IllegalArgumentException("unknown engine " + name + ": want interp or jit");
        };
    }

    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
