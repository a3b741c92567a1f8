package dev.jxdp.xdp.chain;

import dev.jxdp.XdpAction;
import dev.jxdp.ebpf.BpfException;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The chain-call map of the xdp-multiprog RFC (seed 003): for a program, the program that runs next after
 * it returns each of XDP_ABORTED..XDP_REDIRECT, and a wildcard for a code with no entry of its own; a program
 * with no entry, or a code with neither, ends the chain with that code as the frame's action. The kernel
 * side looked the next program up as {@code act[code] ?: wildcard_act} (bpf_xdp_chain_map_get_prog()).
 *
 * <p>Not a BPF map programs call: a datapath-level description, keyed by program name, given together with
 * the program run first. {@link #resolve} checks it against the programs loaded and gives the
 * {@link ChainPlan} the executors run.
 *
 * <pre>{@code
 * ChainCallMap map = ChainCallMap.builder("xdp_fw")
 *         .on("xdp_fw", XdpAction.PASS, "xdp_lb")
 *         .onAny("xdp_lb", "xdp_count")
 *         .build();
 * }</pre>
 */
public final class ChainCallMap {

    private final String first;
    // per program: next by code 0..4, then the wildcard at OTHER; null = none
    private final Map<String, String[]> entries;

    private ChainCallMap(String first, Map<String, String[]> entries) {
        this.first = first;
        this.entries = entries;
    }

    /** A map whose chain starts at {@code first}. */
    public static Builder builder(String first) {
        return new Builder(first);
    }

    /** The program every frame runs first. */
    public String first() { return first; }

    /** The programs with an entry, in the order they were first given one. */
    public List<String> programs() { return List.copyOf(entries.keySet()); }

    /**
     * What runs after {@code program} returns {@code code}, as the kernel side looked it up: the entry for
     * that code, else the wildcard; null when neither (or the program has no entry): the chain ends.
     */
    public String next(String program, int code) {
        String[] e = entries.get(program);
        if (e == null) {
            return null;
        }
        String own = Integer.compareUnsigned(code, ChainPlan.OTHER) < 0 ? e[code] : null;
        return own != null ? own : e[ChainPlan.OTHER];
    }

    /** The wildcard entry of {@code program}, or null. */
    public String wildcard(String program) {
        String[] e = entries.get(program);
        return e == null ? null : e[ChainPlan.OTHER];
    }

    /**
     * This map over the programs loaded, in their order (the chain's indexes): a BpfException naming the
     * programs when the first program or a program with an entry or named by one is not loaded, when two
     * loaded programs share a name, or when a cycle is reachable from the first program.
     */
    public ChainPlan resolve(List<ChainProgram> loaded) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < loaded.size(); i++) {
            index.putIfAbsent(loaded.get(i).name(), i);
        }
        Integer firstIndex = index.get(first);
        if (firstIndex == null) {
            throw new BpfException("chain-call map: first program " + first + " is not loaded" + loadedNames(loaded));
        }
        int n = loaded.size();
        int[] next = new int[n * ChainPlan.SLOTS];
        Arrays.fill(next, ChainPlan.RETURN_RETVAL);
        for (Map.Entry<String, String[]> e : entries.entrySet()) {
            Integer from = index.get(e.getKey());
            if (from == null) {
                throw new BpfException("chain-call map: entry for " + e.getKey() + ", a program that is not loaded"
                        + loadedNames(loaded));
            }
            for (int slot = 0; slot < ChainPlan.SLOTS; slot++) {
                String to = e.getValue()[slot];
                if (to != null && !index.containsKey(to)) {
                    throw new BpfException("chain-call map: " + e.getKey() + " on " + slotName(slot) + ": next program "
                            + to + " is not loaded" + loadedNames(loaded));
                }
                String eff = to != null ? to : e.getValue()[ChainPlan.OTHER];
                if (eff != null) {
                    next[from * ChainPlan.SLOTS + slot] = index.get(eff);
                }
            }
        }
        return new ChainPlan("chain-call map", loaded, firstIndex, next);
    }

    private static String loadedNames(List<ChainProgram> loaded) {
        StringJoiner j = new StringJoiner(", ", " (loaded: ", ")");
        loaded.forEach(p -> j.add(p.name()));
        return loaded.isEmpty() ? " (no programs loaded)" : j.toString();
    }

    static String slotName(int slot) {
        return slot == ChainPlan.OTHER ? "any code (wildcard)" : XdpRunConfig.kernelName(XdpAction.of(slot));
    }

    @Override
    public String toString() {
        StringJoiner j = new StringJoiner("; ", "ChainCallMap[first " + first + "; ", "]");
        entries.forEach((prog, e) -> {
            StringJoiner k = new StringJoiner(",", prog + ":", "");
            for (int s = 0; s < ChainPlan.SLOTS; s++) {
                if (e[s] != null) {
                    k.add((s == ChainPlan.OTHER ? "*" : XdpAction.of(s).name().toLowerCase(java.util.Locale.ROOT))
                            + "=" + e[s]);
                }
            }
            j.add(k.toString());
        });
        return j.toString();
    }

    /** Entries one at a time; giving the same (program, code) twice is an error, as a typo more likely is. */
    public static final class Builder {
        private final String first;
        private final Map<String, String[]> entries = new LinkedHashMap<>();

        private Builder(String first) {
            this.first = Objects.requireNonNull(first, "first");
        }

        /** After {@code program} returns {@code action}, {@code next} runs. */
        public Builder on(String program, XdpAction action, String next) {
            if (!XdpRunConfig.chainable(action)) {
                throw new BpfException("chain-call map: " + program + ": a code that is no action of libxdp's has no "
                        + "entry of its own; use the wildcard");
            }
            return set(program, action.code(), next);
        }

        /** After {@code program} returns a code with no entry of its own, {@code next} runs (the wildcard). */
        public Builder onAny(String program, String next) {
            return set(program, ChainPlan.OTHER, next);
        }

        private Builder set(String program, int slot, String next) {
            Objects.requireNonNull(program, "program");
            Objects.requireNonNull(next, "next");
            String[] e = entries.computeIfAbsent(program, k -> new String[ChainPlan.SLOTS]);
            if (e[slot] != null) {
                throw new BpfException("chain-call map: " + program + " on " + slotName(slot) + ": given twice ("
                        + e[slot] + ", " + next + ")");
            }
            e[slot] = next;
            return this;
        }

        public ChainCallMap build() {
            Map<String, String[]> copy = new LinkedHashMap<>();
            entries.forEach((k, v) -> copy.put(k, v.clone()));
            return new ChainCallMap(first, Collections.unmodifiableMap(copy));
        }
    }
}
