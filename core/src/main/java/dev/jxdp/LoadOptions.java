package dev.jxdp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How {@link ObjectSpec#load(LoadOptions)} loads an object: the engine, whether to verify, initial map
 * contents. Immutable; each {@code with} method returns a changed copy.
 *
 * <pre>{@code
 * XdpObject obj = spec.load(LoadOptions.defaults().engine(Engine.INTERPRETER)
 *         .mapInit("{\"maps\": {\"blocklist\": [{\"key\": \"0a000001\", \"value\": \"0000000000000000\"}]}}"));
 * }</pre>
 */
public final class LoadOptions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Engine engine;
    private final boolean verify;
    private final JsonNode mapInit;

    private LoadOptions(Engine engine, boolean verify, JsonNode mapInit) {
        this.engine = engine;
        this.verify = verify;
        this.mapInit = mapInit;
    }

    /**
     * The defaults: the {@link Engine#JIT}, every XDP program verified, maps as the object declares them.
     *
     * @return the default options
     */
    public static LoadOptions defaults() {
        return new LoadOptions(Engine.JIT, true, null);
    }

    /**
     * These options with another engine.
     *
     * @param engine the engine to run the programs
     * @return changed options
     */
    public LoadOptions engine(Engine engine) {
        return new LoadOptions(java.util.Objects.requireNonNull(engine, "engine"), verify, mapInit);
    }

    /**
     * These options with verification on (the default, as the kernel always verifies) or off. Off, a
     * program the verifier would reject still runs: every access is then checked at run time, and a bad
     * one ends the run with {@link XdpAction#ABORTED} and a {@link TestRunResult#fault()}. The kernel
     * engine always verifies.
     *
     * @param verify false to skip the verifier
     * @return changed options
     */
    public LoadOptions verify(boolean verify) {
        return new LoadOptions(engine, verify, mapInit);
    }

    /**
     * These options with initial map contents, written after the maps are created and before anything
     * runs, in the JSON {@code jxdp test-run --map-init} takes: {@code {"maps": {"NAME": [{"key": "hex",
     * "value": "hex"} | {"key": "hex", "prog": "PROG"} | {"key": "hex", "map": "INNER"}]}}} (a per-CPU
     * map's value goes to every CPU).
     *
     * @param json the document
     * @return changed options
     * @throws JxdpException when the text is not JSON
     */
    public LoadOptions mapInit(String json) {
        try {
            return new LoadOptions(engine, verify, JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new JxdpException("map-init: not JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The engine.
     *
     * @return the engine that will run the programs
     */
    public Engine engine() { return engine; }

    /**
     * Whether programs are verified at load.
     *
     * @return true unless turned off
     */
    public boolean verify() { return verify; }

    JsonNode mapInitJson() { return mapInit; }
}
