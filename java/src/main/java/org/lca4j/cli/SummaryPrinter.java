package org.lca4j.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.lca4j.core.ParamLayout;
import org.lca4j.train.RunSummary;
import org.lca4j.train.Trainer;

/** The end-of-run lines in the terminal: losses, conservation, helped fraction, per-layer totals. */
final class SummaryPrinter {
    private SummaryPrinter() {
    }

    /** The run's records that exist, in the README's order, so the line never names a file that is not there. */
    private static List<String> recordsIn(Path dir) {
        return Stream.of("run.json", "layers.csv", "steps.csv", "cumulative/", "samples/", "trajectory/")
                .filter(f -> Files.exists(dir.resolve(f))).toList();
    }

    static void print(PrintStream out, RunSummary s, ParamLayout layout, Path dir) {
        out.printf("%nsteps: %d in %.1f s%n", s.steps(), s.seconds());
        boolean exactRan = s.layerTotals().containsKey(Trainer.EXACT);
        RunSummary.Conservation c = s.conservation();
        if (c != null) {
            out.printf("reference loss L_R: %.5f -> %.5f (change %.5f)%n", c.initialLoss(), c.finalLoss(), c.totalLossChange());
            out.printf("conservation: sum of LCA %.6f vs loss change %.6f, rel error %.2e, max |e_t| %.2e, mean splits %.2f%s%n",
                    c.totalLca(), c.totalLossChange(), c.relError(), c.maxStepAbsError(), c.meanSplits(),
                    c.stepsOverTolerance() > 0 ? ", " + c.stepsOverTolerance() + " steps over --tol at --max-splits" : "");
        }
        s.accuracy().forEach((set, a) -> out.printf("accuracy on the %s set (%,d rows): %.1f%% -> %.1f%%%n", set, a.rows(), 100 * a.start(), 100 * a.end()));
        for (Map.Entry<String, Double> h : s.meanHelpedFraction().entrySet()) {
            if (exactRan && !h.getKey().startsWith(Trainer.EXACT)) continue;
            out.printf("mean helped fraction (%s): %.2f%% of parameters have A < 0 per step%n", h.getKey(), 100 * h.getValue());
        }
        for (Map.Entry<String, double[]> en : s.layerTotals().entrySet()) {
            // With exact LCA on, estimators' totals belong to the comparison table, not this list.
            if (exactRan && !en.getKey().startsWith(Trainer.EXACT)) continue;
            out.printf("per-layer total LCA (%s; negative = helped):%n", en.getKey());
            for (int l = 0; l < layout.layerCount(); l++) {
                double v = en.getValue()[l];
                out.printf("  %-14s %12.6f  %s%n", layout.layer(l).name(), v, v < 0 ? "helped" : "hurt");
            }
        }
        if (!s.estimators().isEmpty()) {
            out.println();
            out.print(StudyTable.format(s));
        }
        out.println("records: " + dir.toAbsolutePath() + " (" + String.join(", ", recordsIn(dir)) + ")");
    }
}
