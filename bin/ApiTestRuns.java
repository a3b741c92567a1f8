// bin/bench-api's Java side: test-runs an object's XDP program once on each frame of a directory through the
// public API, in one JVM, with the JIT and (when it can run here) the kernel engine; prints one JSON object.
//   java -cp JXDP_CLASSPATH bin/ApiTestRuns.java OBJ.o FRAMES_DIR N
import dev.jxdp.Engine;
import dev.jxdp.JxdpException;
import dev.jxdp.ObjectSpec;
import dev.jxdp.XdpObject;
import dev.jxdp.XdpProgram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

void main(String[] args) throws Exception {
    Path obj = Path.of(args[0]);
    Path dir = Path.of(args[1]);
    int n = Integer.parseInt(args[2]);
    byte[][] frames = new byte[n][];
    for (int i = 0; i < n; i++) {
        frames[i] = Files.readAllBytes(dir.resolve(String.format("%05d.bin", i)));
    }
    List<String> parts = new ArrayList<>();
    for (Engine engine : List.of(Engine.JIT, Engine.KERNEL)) {
        parts.add("\"" + engine.name().toLowerCase() + "\": " + runs(obj, engine, frames));
    }
    System.out.println("{" + String.join(", ", parts) + "}");
}

/** Loads the object with {@code engine}, test-runs every frame once; the figures as a JSON object. */
String runs(Path obj, Engine engine, byte[][] frames) {
    long t0 = System.nanoTime();
    try (XdpObject o = ObjectSpec.read(obj).load(engine)) {
        XdpProgram prog = o.program();
        long t1 = System.nanoTime();
        StringBuilder actions = new StringBuilder();
        for (int i = 0; i < frames.length; i++) {
            long retval = prog.testRun(frames[i]).retval();
            actions.append(i == 0 ? "" : ",").append(retval);
        }
        long total = System.nanoTime() - t1;
        // the same frames again: what a run costs once the JVM has compiled the path (a long test suite's case)
        long t2 = System.nanoTime();
        for (byte[] frame : frames) {
            prog.testRun(frame);
        }
        long again = System.nanoTime() - t2;
        return String.format(java.util.Locale.ROOT,
                "{\"runs\": %d, \"total_s\": %.6f, \"per_run_us\": %.3f, \"load_ms\": %.1f, "
                        + "\"second_pass_per_run_us\": %.3f, \"actions\": [%s]}",
                frames.length, total / 1e9, total / 1e3 / frames.length, (t1 - t0) / 1e6,
                again / 1e3 / frames.length, actions);
    } catch (JxdpException e) {
        return "{\"skipped\": \"" + e.getMessage().replace("\\", "\\\\").replace("\"", "'") + "\"}";
    }
}
