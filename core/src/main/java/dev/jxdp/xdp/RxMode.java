package dev.jxdp.xdp;

/**
 * How a {@link NapiWorker} walks the frames of one poll (RX-stages: a vector of frames through each stage).
 */
public enum RxMode {
    /** one frame at a time through the program and its action, as today's kernel drivers do */
    SCALAR,
    /** vectors of up to {@link NapiWorker#VECTOR} frames: the program over the whole vector, then each action's frames together */
    VECTOR,
    /** vector when the poll received at least {@link NapiWorker#VECTOR_MIN} frames, scalar otherwise */
    AUTO;

    /** The mode named on a command line (scalar, vector, auto; any case); null if none is. */
    public static RxMode parse(String s) {
        for (RxMode m : values()) {
            if (m.name().equalsIgnoreCase(s)) {
                return m;
            }
        }
        return null;
    }
}
