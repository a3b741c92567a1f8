package dev.jxdp.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The xsk table as a PNG bar chart (XChart): Mpps per case, the median of its trials on each bar. */
public final class XskChart {

    private XskChart() {}

    /** The chart's PNG bytes. */
    public static byte[] png(XskSuite.Result r) {
        List<String> names = new ArrayList<>();
        List<Double> mpps = new ArrayList<>();
        for (XskSuite.Row row : r.rows()) {
            names.add(row.label());
            mpps.add(row.mpps());
        }
        return DatapathChart.bars(String.format(Locale.ROOT, "jxdp AF_XDP rxdrop: one worker, one socket, 64-byte frames "
                + "(median of %d trial%s of %s s)", r.trials(), r.trials() == 1 ? "" : "s", Trials.seconds(r.seconds())),
                "Mpps", names, mpps, "#0.00");
    }

    /** Writes the chart to {@code file} (renamed into place); a {@link BenchException} naming the file otherwise. */
    public static void write(XskSuite.Result r, Path file) {
        DatapathChart.writePng(png(r), file);
    }
}
