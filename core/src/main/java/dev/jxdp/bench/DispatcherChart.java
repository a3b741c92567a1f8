package dev.jxdp.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The dispatcher table as a PNG line chart (XChart): Mpps against the number of programs, one line without
 * the dispatcher (baseline-N, baseline-49) and one with it (dispatcher-N, full at 49).
 */
public final class DispatcherChart {

    private DispatcherChart() {}

    /** The chart's PNG bytes. */
    public static byte[] png(DispatcherSuite.Result r) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");  // drawn off-screen: no display needed
        }
        XYChart chart = new XYChartBuilder().width(1000).height(560)
                .title(String.format(Locale.ROOT, "jxdp BPF dispatcher: one worker, 64-byte XDP_DROP (median of %d trial%s of %s s)",
                        r.trials(), r.trials() == 1 ? "" : "s", Trials.seconds(r.seconds())))
                .xAxisTitle("programs (N)").yAxisTitle("Mpps").build();
        chart.getStyler().setDecimalPattern("#0.0");
        addLine(chart, r, "baseline (virtual call)", false, false);
        addLine(chart, r, "dispatcher", true, false);
        addLine(chart, r, "one program on N devices (shared-N)", true, true);
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new BenchException("plot: cannot draw the chart: " + e.getMessage());
        }
    }

    private static void addLine(XYChart chart, DispatcherSuite.Result r, String name, boolean dispatcher, boolean shared) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (DispatcherSuite.Row row : r.rows()) {
            if (row.which().dispatcher() == dispatcher && row.which().shared() == shared) {
                x.add((double) row.which().programs());
                y.add(row.mpps());
            }
        }
        if (!x.isEmpty()) {
            chart.addSeries(name, x, y);
        }
    }

    /** Writes the chart to {@code file} (renamed into place); a {@link BenchException} naming the file otherwise. */
    public static void write(DispatcherSuite.Result r, Path file) {
        DatapathChart.writePng(png(r), file);
    }
}
