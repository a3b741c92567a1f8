package dev.jxdp.bench;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The datapath table as a PNG bar chart (XChart): Mpps per case, the median of its trials on each bar. */
public final class DatapathChart {

    private DatapathChart() {}

    /** The chart's PNG bytes. */
    public static byte[] png(DatapathSuite.Result r) {
        // no display needed: drawing happens in an off-screen image
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(560)
                .title(String.format(Locale.ROOT, "jxdp datapath: one worker, 64-byte frames (median of %d trial%s of %s s)",
                        r.trials(), r.trials() == 1 ? "" : "s", Trials.seconds(r.seconds())))
                .xAxisTitle("case").yAxisTitle("Mpps").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setLabelsPosition(0.95);  // the figure at the top of its bar
        chart.getStyler().setDecimalPattern("#0.0");
        List<String> names = new ArrayList<>();
        List<Double> mpps = new ArrayList<>();
        for (DatapathSuite.Row row : r.rows()) {
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

    /**
     * Writes the chart to {@code file} through a temporary file renamed into place, so a failure leaves no
     * half-written file; a {@link BenchException} naming the file otherwise.
     */
    public static void write(DatapathSuite.Result r, Path file) {
        writePng(png(r), file);
    }

    /**
     * A bar per case, its figure at the top (one series, no legend): the chart every table suite draws,
     * {@code decimals} the figures' pattern ("#0.0").
     */
    static byte[] bars(String title, String yAxis, List<String> names, List<Double> values, String decimals) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");  // drawn off-screen: no display needed
        }
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(560).title(title)
                .xAxisTitle("case").yAxisTitle(yAxis).build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setXAxisLabelRotation(30);
        chart.getStyler().setLabelsPosition(0.95);
        chart.getStyler().setDecimalPattern(decimals);
        chart.addSeries(yAxis, names, values);
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new BenchException("plot: cannot draw the chart: " + e.getMessage());
        }
    }

    // through a temporary file renamed into place, for every suite's chart
    static void writePng(byte[] bytes, Path file) {
        try {
            dev.jxdp.io.AtomicFile.write(file, bytes);
        } catch (IOException e) {
            throw new BenchException(file + ": cannot write: " + reason(e));
        }
    }

    /** Whether {@code file} can be written: its directory exists and is writable (checked before a long run). */
    public static String checkWritable(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            return file + ": no such directory";
        }
        if (!Files.isWritable(dir)) {
            return file + ": permission denied";
        }
        if (Files.isDirectory(file)) {
            return file + ": is a directory";
        }
        return null;
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
