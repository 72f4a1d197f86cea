package org.lca4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lca4j.io.Npy;

class ReportWriterTest {
    private static final int T = 30;
    private static final int S = 40;
    private static final String[] LAYERS = {"fc1.weight", "fc1.bias", "fc2.weight", "out<w>&b"};
    private static final long[] SIZES = {300, 20, 200, 10};
    private static final List<String> ESTIMATORS = List.of("same_batch", "next_batch");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String PNG_URI = "data:image/png;base64,";

    /** What the fake run holds, kept to compute expected numbers independently of the report code. */
    private record Fake(double[][] exactLca, double[][] exactHelped) {
    }

    @Test
    void rendersEveryFigureAndTheNumbersOfTheFiles(@TempDir Path dir) throws IOException {
        Fake fake = writeRun(dir, true, true);
        Path html = ReportWriter.write(dir);
        assertEquals(dir.resolve("report.html"), html);
        String text = Files.readString(html);
        assertTrue(text.contains("accuracy (validation set, 5,000 rows)</th><td>9.87% → 81.2%"), "the run's accuracy in the header");

        // One file: every figure is an embedded PNG that decodes; nothing else is referenced.
        List<String> refs = references(text);
        int pngs = 0;
        for (String ref : refs) {
            assertTrue(ref.startsWith(PNG_URI), "report.html refers outside itself: " + ref.substring(0, Math.min(60, ref.length())));
            byte[] png = Base64.getDecoder().decode(ref.substring(PNG_URI.length()));
            assertNotNull(ImageIO.read(new ByteArrayInputStream(png)), "not a decodable image, figure " + (pngs + 1));
            pngs++;
        }
        assertTrue(pngs >= 2 * LAYERS.length + ESTIMATORS.size() + 4, "too few figures: " + pngs);
        assertTrue(pngs < 40, "too many figures: " + pngs);
        assertTrue(text.contains("id=\"fig-scatter-same_batch\""), "figures carry their names as ids");
        try (Stream<Path> files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".png") || Files.isDirectory(p) && p.endsWith("report")),
                    "no image files beside report.html");
        }

        String cost = text.substring(text.indexOf("<section id=\"cost\">"));
        for (String e : ESTIMATORS) assertTrue(cost.contains("<th>" + e + "</th>") || cost.contains("<strong>" + e + "</strong></th>"), e);
        assertTrue(cost.contains("<tr class=\"best\"><th><strong>same_batch</strong></th>"), "best-at-cost estimator in bold");
        assertTrue(cost.contains("Criterion: lowest cumulative error"), "best_criterion sentence");
        assertTrue(cost.contains("full set"), "textual extra evals shown as is");
        assertTrue(cost.contains("—"), "null metrics shown as a dash");

        assertEquals(meanHelpedFraction(fake), dataValue(text, "mean-helped-fraction"), 1e-12);
        assertEquals(synchronization(fake.exactLca()), dataValue(text, "sync-mean-jaccard"), 1e-12);
        assertTrue(text.contains("about 58% helped (fake paper)"), "the paper's helped fraction is quoted");
        assertTrue(text.contains("mean-helped-fraction-val"), "validation helped fraction shown");

        assertTrue(text.contains("out&lt;w&gt;&amp;b"), "layer names escaped");
        assertFalse(text.contains("out<w>"), "no raw markup from the files");
        assertFalse(text.contains("<script"), "no scripts");

        // Rendering again replaces the page whole.
        assertEquals(text, Files.readString(ReportWriter.write(dir)));
    }

    @Test
    void rendersWithoutSamples(@TempDir Path dir) throws IOException {
        writeRun(dir, false, false);
        String text = Files.readString(ReportWriter.write(dir));
        assertTrue(text.contains("per-parameter comparison is skipped"), "note on the missing samples");
        assertFalse(text.contains("fig-scatter"), "no scatter without samples");
        assertFalse(text.contains("mean-helped-fraction-val"), "no validation LCA in this run");
        for (String ref : references(text)) assertTrue(ref.startsWith(PNG_URI), "report.html refers outside itself");
    }

    @Test
    void withoutFontsTheTablesAreWrittenAndTheMissingFiguresSayWhy(@TempDir Path dir) throws IOException {
        Fake fake = writeRun(dir, true, true);
        String why = "Fontconfig head is null, check your fonts or fonts configuration";
        String text = Files.readString(ReportWriter.write(dir, new Charts(Optional.of(why))));
        assertTrue(references(text).isEmpty(), "no figure without fonts");
        assertTrue(text.indexOf(why) < text.indexOf("<section id=\"run\">"), "the reason stands at the top of the page");
        assertTrue(text.contains("Figure left out (loss per step)"), "each missing figure points to the reason");
        assertFalse(text.contains("No finite values to plot"), "not mistaken for empty data");
        assertEquals(meanHelpedFraction(fake), dataValue(text, "mean-helped-fraction"), 1e-12);
        assertTrue(text.contains("<section id=\"cost\">"), "the tables are all there");
    }

    @Test
    void aFontSystemThatFailsIsReportedAndTheJvmsOwnErrorsAreNot() {
        assertEquals(Optional.of("Fontconfig head is null"), Charts.probe(() -> {
            throw new Error("Fontconfig head is null");
        }));
        assertEquals(Optional.of("java.lang.IllegalStateException"), Charts.probe(() -> {
            throw new IllegalStateException();
        }));
        assertEquals(Optional.empty(), Charts.probe(() -> { }));
        assertThrows(OutOfMemoryError.class, () -> Charts.probe(() -> {
            throw new OutOfMemoryError("Java heap space");
        }));
        assertEquals(Optional.empty(), new Charts().unavailable(), "this machine draws text (its reports have figures)");
    }

    @Test
    void missingRunJsonIsAnErrorNamingTheFile(@TempDir Path dir) throws IOException {
        writeRun(dir, false, false);
        Files.delete(dir.resolve("run.json"));
        IOException e = assertThrows(IOException.class, () -> ReportWriter.write(dir));
        assertTrue(e.getMessage().contains(dir.resolve("run.json").toString()), e.getMessage());
    }

    // ---- expected values, computed here from what the test wrote ----

    private static double meanHelpedFraction(Fake f) {
        long total = 0;
        for (long s : SIZES) total += s;
        double sum = 0;
        for (int t = 0; t < T; t++) {
            double helped = 0;
            for (int l = 0; l < LAYERS.length; l++) helped += f.exactHelped()[l][t] * SIZES[l];
            sum += helped / total;
        }
        return sum / T;
    }

    /** Mean over layer pairs of the Jaccard overlap of their k = 10% of T most negative steps. */
    private static double synchronization(double[][] lca) {
        int k = T / 10;
        List<Set<Integer>> tops = new ArrayList<>();
        for (double[] layer : lca) {
            Integer[] order = new Integer[T];
            for (int t = 0; t < T; t++) order[t] = t;
            java.util.Arrays.sort(order, (a, b) -> Double.compare(layer[a], layer[b]));
            tops.add(new HashSet<>(List.of(order).subList(0, k)));
        }
        double sum = 0;
        int pairs = 0;
        for (int a = 0; a < tops.size(); a++) {
            for (int b = a + 1; b < tops.size(); b++) {
                Set<Integer> inter = new HashSet<>(tops.get(a));
                inter.retainAll(tops.get(b));
                Set<Integer> union = new HashSet<>(tops.get(a));
                union.addAll(tops.get(b));
                sum += (double) inter.size() / union.size();
                pairs++;
            }
        }
        return sum / pairs;
    }

    private static List<String> references(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
        while (m.find()) {
            if (!m.group(1).startsWith("#")) out.add(m.group(1).replace("&amp;", "&"));
        }
        return out;
    }

    private static double dataValue(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\" data-value=\"([^\"]+)\"").matcher(html);
        assertTrue(m.find(), "no " + id + " in the report");
        return Double.parseDouble(m.group(1));
    }

    // ---- the fake run directory ----

    private static Fake writeRun(Path dir, boolean samples, boolean validation) throws IOException {
        Random rnd = new Random(7);
        List<String> names = new ArrayList<>(List.of("exact"));
        names.addAll(ESTIMATORS);
        if (validation) names.add("exact_val");
        double[][][] lca = new double[names.size()][LAYERS.length][T];
        double[][][] helped = new double[names.size()][LAYERS.length][T];
        StringBuilder layersCsv = new StringBuilder("step,estimator,layer,lca,helped_fraction\n");
        for (int t = 0; t < T; t++) {
            for (int e = 0; e < names.size(); e++) {
                for (int l = 0; l < LAYERS.length; l++) {
                    double exact = e == 0 ? -0.002 + 0.01 * rnd.nextGaussian() : lca[0][l][t];
                    lca[e][l][t] = e == 0 ? exact : exact * (1 + 0.2 * rnd.nextGaussian()) + 0.001 * rnd.nextGaussian();
                    helped[e][l][t] = 0.4 + 0.4 * rnd.nextDouble();
                    layersCsv.append(t).append(',').append(names.get(e)).append(',').append(LAYERS[l]).append(',')
                            .append(lca[e][l][t]).append(',').append(helped[e][l][t]).append('\n');
                }
            }
        }
        Files.writeString(dir.resolve("layers.csv"), layersCsv);

        StringBuilder steps = new StringBuilder("step,batch_loss,loss_before,loss_after,loss_change,lca,splits,error,step_ms\n");
        double loss = 2.3;
        for (int t = 0; t < T; t++) {
            double change = -0.02 * Math.exp(-t / 10.0);
            steps.append(t).append(',').append(loss + 0.05 * rnd.nextGaussian()).append(',').append(loss).append(',').append(loss + change)
                    .append(',').append(change).append(',').append(change).append(",2,").append(t == 3 ? "" : "1e-6").append(",12.5\n");
            loss += change;
        }
        Files.writeString(dir.resolve("steps.csv"), steps);

        if (samples) {
            Path sd = Files.createDirectories(dir.resolve("samples"));
            int[] indices = new int[S];
            for (int i = 0; i < S; i++) indices[i] = i * 13;
            Npy.write(sd.resolve("indices.npy"), indices, S);
            double[] exact = new double[T * S];
            for (int i = 0; i < exact.length; i++) exact[i] = i % 17 == 0 ? 0 : 1e-4 * rnd.nextGaussian();
            Npy.write(sd.resolve("exact.npy"), exact, T, S);
            for (String e : ESTIMATORS) {
                double[] est = new double[T * S];
                for (int i = 0; i < est.length; i++) est[i] = exact[i] + 3e-5 * rnd.nextGaussian();
                Npy.write(sd.resolve(e + ".npy"), est, T, S);
            }
        }
        Files.writeString(dir.resolve("run.json"), MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(runJson(names, lca)));
        return new Fake(lca[0], helped[0]);
    }

    private static ObjectNode runJson(List<String> names, double[][][] lca) {
        ObjectNode run = MAPPER.createObjectNode();
        run.put("format", "lca4j-run/1").put("status", "complete");
        ObjectNode config = run.putObject("config");
        config.put("model", "mnist-fc").put("data", "synthetic").put("optimizer", "sgd(lr=0.01, momentum=0.9)").put("lr", 0.01)
                .put("momentum", 0.9).put("batch", 250).put("steps", T).put("seed", 1).put("reference_size", 5000);
        ArrayNode est = config.putArray("estimators");
        est.add("exact");
        ESTIMATORS.forEach(est::add);
        ArrayNode layers = run.putArray("layers");
        long offset = 0;
        for (int l = 0; l < LAYERS.length; l++) {
            ObjectNode n = layers.addObject().put("name", LAYERS[l]).put("offset", offset).put("size", SIZES[l]);
            n.putArray("shape").add(SIZES[l]);
            offset += SIZES[l];
        }
        ObjectNode summary = run.putObject("summary");
        summary.putObject("conservation").put("total_lca", -0.4).put("total_loss_change", -0.41).put("rel_error", 0.0244)
                .put("max_step_abs_error", 1e-5).put("sum_abs_error", 2e-4).put("initial_loss", 2.3).put("final_loss", 1.89)
                .put("mean_splits", 2.0);
        summary.putObject("mean_helped_fraction").put("exact", 0.6);
        summary.putObject("accuracy").putObject("validation").put("rows", 5000).put("start", 0.0987).put("end", 0.8123);
        ObjectNode totals = summary.putObject("layer_totals");
        for (int e = 0; e < names.size(); e++) {
            ObjectNode t = totals.putObject(names.get(e));
            for (int l = 0; l < LAYERS.length; l++) t.put(LAYERS[l], java.util.Arrays.stream(lca[e][l]).sum());
        }
        ObjectNode estimators = summary.putObject("estimators");
        for (int i = 0; i < ESTIMATORS.size(); i++) {
            ObjectNode m = estimators.putObject(ESTIMATORS.get(i));
            if (i == 0) m.put("extra_evals_per_step", 0);
            else m.put("extra_evals_per_step", "full set");
            m.put("time_per_step_ms", 3.5 + i).put("relative_time", 1.1 + i).put("layer_pearson_r", 0.9 - 0.1 * i).put("layer_rmse_rel", 0.3)
                    .put("cumulative_rel_error", 0.05).put("cumulative_rel_error_max", 0.12).put("param_step_pearson_r", 0.8)
                    .put("param_step_sign_agreement", 0.85).put("param_cumulative_pearson_r", 0.95).put("param_cumulative_sign_agreement", 0.9)
                    .putNull("helped_fraction_mad");
            ObjectNode perLayer = m.putObject("per_layer");
            for (String l : LAYERS) perLayer.putObject(l).put("pearson_r", 0.9).put("rmse_rel", 0.25).putNull("cumulative_rel_error");
            ObjectNode phases = m.putObject("phases");
            for (String p : List.of("early", "late")) {
                phases.putObject(p).put("layer_pearson_r", p.equals("early") ? 0.95 : 0.7).put("layer_rmse_rel", 0.3)
                        .put("cumulative_rel_error", 0.04).put("param_step_pearson_r", 0.8).put("param_step_sign_agreement", 0.8)
                        .putNull("helped_fraction_mad");
            }
        }
        summary.putObject("best_by_cost").put("0", "same_batch").put("1", "next_batch");
        summary.put("best_criterion", "lowest cumulative error, then highest layer r");
        summary.put("helped_fraction_paper", "about 58% helped (fake paper)");
        return run;
    }
}
