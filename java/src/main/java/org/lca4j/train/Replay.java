package org.lca4j.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import org.lca4j.Lca;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.StepLca;
import org.lca4j.data.LabeledSet;
import org.lca4j.exact.ExactLca;
import org.lca4j.nn.Mlp;
import org.lca4j.nn.SetObjective;

/**
 * Exact LCA after the fact over a saved trajectory θ_0..θ_T (the original paper's workflow). It runs
 * the same {@link ExactLca} as training does, so on the same θ and R it gives the same numbers.
 */
public final class Replay {
    private Replay() {
    }

    /**
     * @param thetas θ_t for t = 0..rows-1
     */
    public static RunSummary run(TrainConfig cfg, Mlp mlp, LabeledSet reference, String referenceNote, long rows,
                                 LongFunction<float[]> thetas, RunListener listener) {
        if (rows < 2) throw new IllegalArgumentException("a trajectory needs at least two θ rows (one step); it has " + rows);
        long steps = rows - 1;
        try (LcaAccumulator acc = Lca.cpu(mlp.layout())) {
            ExactLca exact = new ExactLca(new SetObjective(mlp, reference), acc, cfg.tol(), cfg.maxSplits());
            float[] before = thetas.apply(0);
            Map<String, LcaAccumulator> accs = Map.of(Trainer.EXACT, acc);
            long started = System.nanoTime();
            try {
                listener.started(new RunContext(cfg, mlp.layout(), mlp.widths(), "saved trajectory", 0, 0, reference, referenceNote, accs, steps, before, "n/a (replay)", null));
                ConservationTracker cons = new ConservationTracker(exact.start(before));
                double helpedSum = 0;
                for (long t = 0; t < steps; t++) {
                    long t0 = System.nanoTime();
                    float[] after = thetas.apply(t + 1);
                    ExactLca.Step s = exact.step(before, after);
                    cons.add(s);
                    helpedSum += s.lca().helpedFraction();
                    Map<String, StepLca> lca = new LinkedHashMap<>();
                    lca.put(Trainer.EXACT, s.lca());
                    listener.stepDone(new StepEvent(t, steps, Double.NaN, before, after, s, null, lca, Map.of(), System.nanoTime() - t0));
                    before = after;
                }
                RunSummary summary = new RunSummary(steps, cons.result(), null, Map.of(Trainer.EXACT, acc.layerTotals()),
                        Map.of(Trainer.EXACT, helpedSum / steps), Double.NaN, (System.nanoTime() - started) / 1e9, exact.evaluations(), 0,
                        Double.NaN, exact.evaluationNanos() / 1e6 / steps, java.util.List.of(), Map.of(), Map.of());
                listener.finished(summary);
                return summary;
            } catch (RuntimeException e) {
                listener.failed(e);
                throw e;
            }
        }
    }
}
