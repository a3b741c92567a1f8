package dev.jxdp;

/**
 * One program as an object file declares it (plain data, nothing loaded).
 *
 * @param name         the program's function name
 * @param section      the ELF section it is in ({@code xdp}, {@code xdp.frags}, {@code xdp/devmap}, ...)
 * @param instructions how many eBPF instructions it has once its subprograms are linked in
 * @param xdp          whether it is an XDP program (by its section, as libbpf names them, or because
 *                     {@link ObjectSpec#asXdp()} made it one): only XDP programs are verified and run
 */
public record ProgramSpec(String name, String section, int instructions, boolean xdp) {

    static ProgramSpec of(dev.jxdp.ebpf.elf.ProgramSpec p) {
        return new ProgramSpec(p.name(), p.section(), p.insns().length, p.isXdp());
    }
}
