package dev.jxdp.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The xsk table as a PNG bar chart (XChart): Mpps per case, the median of its trials on each bar. */
public final class XskChart {

    private XskChart() {}

    /** The chart's PNG bytes. */
    public static byte[] png(XskSuite.Result r) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");  // drawn off-screen: no display needed
        }
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(560)
                .title(String.format(Locale.ROOT, "jxdp AF_XDP rxdrop: one worker, one socket, 64-byte frames (median of %d trial%s of %s s)",
                        r.trials(), r.trials() == 1 ? "" : "s", Trials.seconds(r.seconds())))
                .xAxisTitle("case").yAxisTitle("Mpps").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsPosition(0.95);
        chart.getStyler().setDecimalPattern("#0.00");
        List<String> names = new ArrayList<>();
        List<Double> mpps = new ArrayList<>();
        for (XskSuite.Row row : r.rows()) {
            names.add(row.label());
            mpps.add(row.mpps());
        }
        chart.addSeries("Mpps", names, mpps);
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new BenchException("plot: cannot draw the chart: " + e.getMessage());
        }
    }

    /** Writes the chart to {@code file} (renamed into place); a {@link BenchException} naming the file otherwise. */
    public static void write(XskSuite.Result r, Path file) {
        DatapathChart.writePng(png(r), file);
    }
}
