package org.lca4j.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** XChart figures in one house style, as PNG embedded in the page (data URIs) so report.html is one file that opens anywhere. */
final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    static final Color EXACT = Color.BLACK;
    static final Color EXACT_VAL = new Color(0x80, 0x80, 0x80);
    static final Color HELPED = new Color(0x2c, 0xa0, 0x2c);
    static final Color HURT = new Color(0xd6, 0x27, 0x28);
    private static final Color[] PALETTE = {
            new Color(0x1f, 0x77, 0xb4), new Color(0xff, 0x7f, 0x0e), new Color(0x2c, 0xa0, 0x2c), new Color(0xd6, 0x27, 0x28),
            new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b), new Color(0xe3, 0x77, 0xc2), new Color(0x17, 0xbe, 0xcf),
            new Color(0xbc, 0xbd, 0x22), new Color(0x7f, 0x7f, 0x7f)};
    /** The most points a line is drawn with (see {@link #decimate}); charts are 640–900 pixels wide. */
    static final int MAX_LINE_POINTS = 2_000;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    /** One line of a line chart; NaN points are left out. */
    record Line(String name, double[] x, double[] y, Color color, float width, boolean dashed) {
        static Line of(String name, double[] x, double[] y, Color color, float width) {
            return new Line(name, x, y, color, width, false);
        }
    }

    /** One series of a histogram: a count per bin of the shared bin centers. */
    record Bars(String name, int[] counts, Color color) {
    }

    /** A rendered figure: a name unique in the page (its element id) and the PNG as a data URI (null: left out, see {@link #unavailable}). */
    record Image(String name, String src) {
        boolean leftOut() {
            return src == null;
        }
    }

    private final Optional<String> unavailable;

    /** Figures drawn if this Java can draw text here (probed once per JVM). */
    Charts() {
        this(Fonts.PROBLEM);
    }

    /** Figures left out for {@code unavailable}'s reason when present (how tests see a machine without fonts). */
    Charts(Optional<String> unavailable) {
        this.unavailable = unavailable;
    }

    /**
     * Why no figure can be drawn on this machine, or empty. A JDK without usable fonts (no fontconfig fonts, as on
     * bare servers and containers) fails on the first text it measures; the report then keeps its tables and says why
     * the figures are missing instead of losing the whole page.
     */
    Optional<String> unavailable() {
        return unavailable;
    }

    /** Runs {@code draw} and returns the reason it failed, if it did; errors of the JVM itself (out of memory) still propagate. */
    static Optional<String> probe(Runnable draw) {
        try {
            draw.run();
            return Optional.empty();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            return Optional.of(e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("[.\\s]+$", ""));
        }
    }

    /** Probed on first use only, so runs that write no report never touch AWT. */
    private static final class Fonts {
        static final Optional<String> PROBLEM = probe(() -> {
            Graphics2D g = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB).createGraphics();
            try {
                g.setFont(SMALL);
                g.drawString(String.valueOf(g.getFontMetrics().stringWidth("0")), 0, 12);
            } finally {
                g.dispose();
            }
        });
    }

    /** The colour of the i-th compared estimator, the same in every figure. */
    static Color estimatorColor(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    /** A figure name made of safe characters from arbitrary parts (layer and estimator names). */
    static String figureName(String... parts) {
        return String.join("-", Arrays.stream(parts).map(p -> p.replaceAll("[^A-Za-z0-9._]+", "_")).toList());
    }

    /** A line chart; empty when no line has a finite point. */
    Optional<Image> lines(String name, String title, String xTitle, String yTitle, List<Line> lines, int w, int h) throws IOException {
        if (unavailable.isPresent()) return Optional.of(new Image(name, null));
        XYChart chart = new XYChartBuilder().width(w).height(h).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendVisible(lines.size() > 1);
        labelSteps(chart, lines);
        int added = 0;
        for (Line l : lines) {
            double[][] xy = decimate(finitePairs(l.x(), l.y()), MAX_LINE_POINTS);
            if (xy[0].length == 0) continue;
            XYSeries s = chart.addSeries(l.name(), xy[0], xy[1]);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(l.color());
            s.setLineStyle(l.dashed()
                    ? new BasicStroke(l.width(), BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(l.width(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            added++;
        }
        return added == 0 ? Optional.empty() : Optional.of(save(chart, name));
    }

    /**
     * XChart puts a tick at every tenth or so of equally spaced x values (XChart issue 731), which
     * crowds the step axis into one unreadable run of digits. Steps are whole numbers: label only the
     * multiples of a round step giving about six labels, and XChart then draws ticks there alone.
     */
    private static void labelSteps(XYChart chart, List<Line> lines) {
        double max = 0;
        for (Line l : lines) {
            for (double x : l.x()) {
                if (x != Math.rint(x) || x < 0) return; // not a step axis
                max = Math.max(max, x);
            }
        }
        double every = labelStep(max);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(v -> v % every == 0 ? Fmt.num(v) : "");
    }

    /** The round step (1, 2 or 5 × 10^k, at least 1) that labels 0 … max about six times. */
    static double labelStep(double max) {
        double raw = Math.max(1, max / 6), pow = Math.pow(10, Math.floor(Math.log10(raw))), step = pow;
        for (double m : new double[] {2, 5, 10}) if (step < raw) step = m * pow;
        return step;
    }

    /** A scatter of y against x with the line y = x; empty when there are no finite points. */
    Optional<Image> scatter(String name, String title, String xTitle, String yTitle, double[] x, double[] y, Color color, int size)
            throws IOException {
        if (unavailable.isPresent()) return Optional.of(new Image(name, null));
        double[][] xy = finitePairs(x, y);
        if (xy[0].length == 0) return Optional.empty();
        XYChart chart = new XYChartBuilder().width(size).height(size).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setMarkerSize(3);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(Fmt::num);
        double lo = Math.min(Arrays.stream(xy[0]).min().orElse(0), Arrays.stream(xy[1]).min().orElse(0));
        double hi = Math.max(Arrays.stream(xy[0]).max().orElse(0), Arrays.stream(xy[1]).max().orElse(0));
        XYSeries points = chart.addSeries("A_t,i", xy[0], xy[1]);
        points.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        points.setMarker(SeriesMarkers.CIRCLE);
        points.setMarkerColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 110));
        XYSeries diagonal = chart.addSeries("y = x", new double[] {lo, hi}, new double[] {lo, hi});
        diagonal.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        diagonal.setMarker(SeriesMarkers.NONE);
        diagonal.setLineColor(EXACT);
        diagonal.setLineStyle(new BasicStroke(1f));
        return Optional.of(save(chart, name));
    }

    /** One bar per category, green where the value is negative (helped) and red where positive (hurt). */
    Optional<Image> signedBars(String name, String title, String yTitle, List<String> categories, double[] values, int w, int h)
            throws IOException {
        if (unavailable.isPresent()) return Optional.of(new Image(name, null));
        if (categories.isEmpty() || Arrays.stream(values).noneMatch(Double::isFinite)) return Optional.empty();
        CategoryChart chart = new CategoryChartBuilder().width(w).height(h).title(title).yAxisTitle(yTitle).build();
        style(chart.getStyler());
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisLabelRotation(categories.size() > 4 ? 30 : 0);
        List<Double> helped = new ArrayList<>(), hurt = new ArrayList<>();
        for (double v : values) {
            double x = Double.isFinite(v) ? v : 0;
            helped.add(x < 0 ? x : 0);
            hurt.add(x > 0 ? x : 0);
        }
        chart.addSeries("helped (< 0)", categories, helped).setFillColor(HELPED);
        chart.addSeries("hurt (> 0)", categories, hurt).setFillColor(HURT);
        return Optional.of(save(chart, name));
    }

    /** A histogram of one or more series over shared bins, overlapped. */
    Optional<Image> histogram(String name, String title, String xTitle, double[] centers, List<Bars> series, int w, int h)
            throws IOException {
        if (unavailable.isPresent()) return Optional.of(new Image(name, null));
        if (centers.length == 0 || series.isEmpty()) return Optional.empty();
        CategoryChart chart = new CategoryChartBuilder().width(w).height(h).title(title).xAxisTitle(xTitle).yAxisTitle("steps").build();
        style(chart.getStyler());
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setAvailableSpaceFill(0.95);
        chart.getStyler().setLegendVisible(series.size() > 1);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(60);
        chart.getStyler().setYAxisDecimalPattern("0");
        List<String> labels = Arrays.stream(centers).mapToObj(Fmt::num).toList();
        for (Bars b : series) {
            List<Integer> counts = IntStream.of(b.counts()).boxed().toList();
            Color c = b.color();
            chart.addSeries(b.name(), labels, counts).setFillColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 170));
        }
        return Optional.of(save(chart, name));
    }

    private static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(true);
        s.setPlotBorderColor(Color.LIGHT_GRAY);
        s.setPlotGridLinesColor(new Color(0xe6, 0xe6, 0xe6));
        s.setChartTitleFont(TITLE);
        s.setChartTitleBoxVisible(false);
        s.setAxisTitleFont(SMALL);
        s.setAxisTickLabelsFont(SMALL);
        s.setLegendFont(SMALL);
        s.setLegendBorderColor(Color.LIGHT_GRAY);
        s.setChartPadding(8);
        s.setyAxisTickLabelsFormattingFunction(Fmt::num);
    }

    private Image save(Chart<?, ?> chart, String name) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", png)) {
            throw new IOException("figure " + name + ": no PNG writer available");
        }
        return new Image(name, "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray()));
    }

    /**
     * A line of n &gt; max points as at most max of them, for drawing: the first and the last, and between
     * them the lowest and the highest point (in their order) of each of (max − 2) / 2 runs of consecutive
     * points, so every spike and the envelope stay visible at any length. Shorter lines are unchanged.
     */
    static double[][] decimate(double[][] xy, int max) {
        double[] x = xy[0], y = xy[1];
        int n = x.length;
        if (n <= max) return xy;
        int runs = (max - 2) / 2;
        double[][] out = new double[2][max];
        int k = 0;
        out[0][k] = x[0];
        out[1][k++] = y[0];
        for (int b = 0; b < runs; b++) {
            int from = 1 + (int) ((long) b * (n - 2) / runs), to = 1 + (int) ((long) (b + 1) * (n - 2) / runs);
            int lo = from, hi = from;
            for (int i = from + 1; i < to; i++) {
                if (y[i] < y[lo]) lo = i;
                if (y[i] > y[hi]) hi = i;
            }
            for (int i : lo == hi ? new int[] {lo} : new int[] {Math.min(lo, hi), Math.max(lo, hi)}) {
                out[0][k] = x[i];
                out[1][k++] = y[i];
            }
        }
        out[0][k] = x[n - 1];
        out[1][k++] = y[n - 1];
        return new double[][] {Arrays.copyOf(out[0], k), Arrays.copyOf(out[1], k)};
    }

    /** The pairs where both x and y are finite. */
    private static double[][] finitePairs(double[] x, double[] y) {
        int[] keep = IntStream.range(0, Math.min(x.length, y.length)).filter(i -> Double.isFinite(x[i]) && Double.isFinite(y[i])).toArray();
        return new double[][] {Arrays.stream(keep).mapToDouble(i -> x[i]).toArray(), Arrays.stream(keep).mapToDouble(i -> y[i]).toArray()};
    }
}
