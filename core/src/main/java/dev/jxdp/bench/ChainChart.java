package dev.jxdp.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The chain table as a PNG bar chart (XChart): ns/packet per case, the median of its trials on each bar. */
public final class ChainChart {

    private ChainChart() {}

    /** The chart's PNG bytes. */
    public static byte[] png(ChainSuite.Result r) {
        List<String> names = new ArrayList<>();
        List<Double> ns = new ArrayList<>();
        for (ChainSuite.Row row : r.rows()) {
            names.add(row.label());
            ns.add(row.nsPerPkt());
        }
        return DatapathChart.bars(String.format(Locale.ROOT, "jxdp chains: one worker, 64-byte frames (median of %d trial%s of %s s)",
                r.trials(), r.trials() == 1 ? "" : "s", Trials.seconds(r.seconds())), "ns/packet", names, ns, "#0.0");
    }

    /** Writes the chart to {@code file} (renamed into place); a {@link BenchException} naming the file otherwise. */
    public static void write(ChainSuite.Result r, Path file) {
        DatapathChart.writePng(png(r), file);
    }
}
