package dev.jxdp.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The chain table as a PNG bar chart (XChart): ns/packet per case, the median of its trials on each bar. */
public final class ChainChart {

    private ChainChart() {}

    /** The chart's PNG bytes. */
    public static byte[] png(ChainSuite.Result r) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");  // drawn off-screen: no display needed
        }
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(560)
                .title(String.format(Locale.ROOT, "jxdp chains: one worker, 64-byte frames (median of %d trial%s of %s s)",
                        r.trials(), r.trials() == 1 ? "" : "s", Trials.seconds(r.seconds())))
                .xAxisTitle("case").yAxisTitle("ns/packet").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsPosition(0.95);  // the figure at the top of its bar
        chart.getStyler().setDecimalPattern("#0.0");
        List<String> names = new ArrayList<>();
        List<Double> ns = new ArrayList<>();
        for (ChainSuite.Row row : r.rows()) {
            names.add(row.label());
            ns.add(row.nsPerPkt());
        }
        chart.addSeries("ns/packet", names, ns);
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new BenchException("plot: cannot draw the chart: " + e.getMessage());
        }
    }

    /** Writes the chart to {@code file} (renamed into place); a {@link BenchException} naming the file otherwise. */
    public static void write(ChainSuite.Result r, Path file) {
        DatapathChart.writePng(png(r), file);
    }
}
