package org.lca4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.lca4j.study.EstimatorReport;
import org.lca4j.train.RunListener;
import org.lca4j.train.RunSummary;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;

/**
 * LCA's cost on a training step, measured by the harness itself: one run per model with exact LCA
 * and every estimator, on synthetic data; each estimator's own work is timed apart (docs/LCA.md,
 * "How an estimator is judged", cost), so one run gives plain training, each estimator and exact.
 * debiased_trap makes training split its gradient into two half-batch sums, so it needs runs of
 * its own, and its × charges that split to it: (split training + its work) / plain training. Two
 * separate runs' median steps moved by up to a quarter on a 2-core machine, so that ratio comes from
 * pairs run back to back, each pair a run with free_trap (the same LCA work, unsplit training) and
 * one with debiased_trap, alternating, both with exact LCA on a small reference set (Study times
 * estimators against it): the median of the pairs' ratios, with their range.
 *
 * <p>Usage: {@code TrainingOverhead [steps] [out.md] [out.json]} (bench/cpu/overhead.sh writes both
 * under bench/results/cpu, naming machine, date and commit).
 */
public final class TrainingOverhead {
    private static final List<String> SHOWN = List.of("same_batch", "free_trap", "next_batch_end", "next_batch", "next_batch_trap", "next_batch_simpson");
    private static final String SPLIT = "debiased_trap";
    private static final int PAIRS = 3, PAIR_REFERENCE_ROWS = 1000;

    private TrainingOverhead() {
    }

    public static void main(String[] args) throws IOException {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        Path dir = Files.createTempDirectory("lca4j-overhead");
        StringBuilder md = new StringBuilder("| model | parameters | plain step ms | ")
                .append(SHOWN.stream().map(s -> s + " ×").collect(Collectors.joining(" | "))).append(" | " + SPLIT + " × (range of " + PAIRS + " pairs) | exact × (R rows) |\n|---|---:|---:|")
                .append("---:|".repeat(SHOWN.size() + 2)).append('\n');
        List<Map<String, Object>> json = new java.util.ArrayList<>();
        for (String model : List.of("784,100,50,10", "784,1024,1024,10")) {
            List<String> plain = new java.util.ArrayList<>(List.of("exact"));
            plain.addAll(SHOWN);
            RunSummary s = run(model, steps, plain, 5000, dir.resolve(model.replace(',', '-')));
            double[] ratios = new double[PAIRS];
            double splitStep = 0;
            for (int p = 0; p < PAIRS; p++) {
                String base = model.replace(',', '-') + "-pair" + p;
                RunSummary unsplit = run(model, steps, List.of("exact", "free_trap"), PAIR_REFERENCE_ROWS, dir.resolve(base + "-free_trap"));
                RunSummary split = run(model, steps, List.of("exact", SPLIT), PAIR_REFERENCE_ROWS, dir.resolve(base + "-" + SPLIT));
                ratios[p] = (split.trainingMsPerStep() + split.estimators().get(0).timePerStepMs()) / unsplit.trainingMsPerStep();
                splitStep += split.trainingMsPerStep() / PAIRS;
            }
            double[] sorted = ratios.clone();
            java.util.Arrays.sort(sorted);
            double debiased = sorted[PAIRS / 2];
            Map<String, EstimatorReport> byName = s.estimators().stream().collect(Collectors.toMap(EstimatorReport::name, e -> e));
            long params = org.lca4j.nn.Mlp.parse(model).parameterCount();
            md.append(String.format("| %s | %,d | %.2f | ", model, params, s.trainingMsPerStep()));
            for (String e : SHOWN) md.append(String.format("%.2f | ", byName.get(e).relativeTime()));
            md.append(String.format("%.2f (%.2f–%.2f) | ", debiased, sorted[0], sorted[PAIRS - 1]));
            md.append(String.format("%.0f (%d) |%n", (s.trainingMsPerStep() + s.exactMsPerStep()) / s.trainingMsPerStep(), 5000));
            Map<String, Object> row = new java.util.LinkedHashMap<>();
            row.put("model", model);
            row.put("parameters", params);
            row.put("steps", steps);
            row.put("plain_step_ms", s.trainingMsPerStep());
            Map<String, Double> times = new java.util.LinkedHashMap<>();
            for (String e : SHOWN) times.put(e, byName.get(e).relativeTime());
            times.put(SPLIT, debiased);
            times.put("exact", (s.trainingMsPerStep() + s.exactMsPerStep()) / s.trainingMsPerStep());
            row.put("times_plain_step", times);
            row.put(SPLIT + "_pair_ratios", ratios);
            row.put(SPLIT + "_how", PAIRS + " pairs run back to back (free_trap run, then debiased_trap run; exact LCA on " + PAIR_REFERENCE_ROWS
                    + " rows in both), median of (split training + debiased_trap's work) / the pair's unsplit training");
            row.put("split_training_step_ms", splitStep);
            row.put("exact_reference_rows", 5000);
            json.add(row);
        }
        System.out.print(md);
        if (args.length > 1) Files.writeString(Path.of(args[1]), md);
        if (args.length > 2) {
            new com.fasterxml.jackson.databind.ObjectMapper().enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValue(Path.of(args[2]).toFile(), Map.of("benchmark", "training-overhead", "timing", "median step (Study); exact LCA: mean step", "results", json));
        }
    }

    private static RunSummary run(String model, int steps, List<String> estimators, int referenceRows, Path out) throws IOException {
        TrainConfig cfg = TrainConfig.builder().model(model).data("synthetic").syntheticSize(12_000).referenceSize(referenceRows).steps(steps)
                .estimators(estimators).device("cpu").out(out).build();
        return Trainer.run(cfg, new RunListener() {
        });
    }
}
