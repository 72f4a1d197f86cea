package org.lca4j.run;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lca4j.core.Layer;
import org.lca4j.core.ParamLayout;
import org.lca4j.nn.Gemm;
import org.lca4j.study.EstimatorReport;
import org.lca4j.study.Study;
import org.lca4j.train.RunContext;
import org.lca4j.train.RunSummary;
import org.lca4j.train.TrainConfig;

/**
 * run.json, the document: at the start what ran, on what and from which process, with status
 * "running"; at the end how the run ended, and for a run that completed its summary. Entries keep
 * the order they were put in, which is the file's (README, "Outputs").
 */
final class RunJson {
    private final Map<String, Object> doc = new LinkedHashMap<>();

    private RunJson() {
    }

    /** @param extra additional top-level entries (e.g. what an analysis was made from) */
    static RunJson started(RunContext c, Map<String, Object> extra) {
        RunJson j = new RunJson();
        Map<String, Object> m = j.doc;
        m.put("format", "lca4j-run/1");
        m.put("status", "running");
        m.put("started", Instant.now().toString());
        // In Json's fixed order: a Map.of (the DL4J listener's {config, data}) must not bring its per-JVM order to the top level.
        ((Map<?, ?>) Json.fixedOrder(extra)).forEach((k, v) -> m.put(String.valueOf(k), v));
        // A caller that is not lca4j's harness (the DL4J listener) describes its own training and data.
        if (!extra.containsKey("config")) m.put("config", config(c));
        m.put("environment", environment(c));
        m.put("process", RunProcess.current());
        if (!extra.containsKey("data")) m.put("data", data(c));
        m.put("layers", layers(c.layout()));
        return j;
    }

    /** The run ran to its end; {@code layout} names the layers of its totals. */
    void complete(RunSummary s, ParamLayout layout) {
        doc.put("status", "complete");
        doc.put("summary", summary(s, layout));
    }

    /** The run ended early ({@code status} "failed" or "interrupted"), with how much of it the files hold. */
    void stopped(String status, String error, long stepsRecorded, long cumulativeSteps) {
        doc.put("status", status);
        doc.put("error", error);
        doc.put("steps_recorded", stepsRecorded);
        doc.put("cumulative_steps", cumulativeSteps);
    }

    /** Stamps the end; the next {@link #write} is the last. */
    void ended() {
        doc.put("finished", Instant.now().toString());
    }

    void write(Path file) throws IOException {
        Json.write(file, doc);
    }

    /** The "layers" entry, the same in run.json and the trajectory's model.json. */
    static List<Map<String, Object>> layers(ParamLayout layout) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Layer l : layout.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", l.name());
            m.put("shape", l.shape());
            m.put("offset", l.offset());
            m.put("size", l.size());
            out.add(m);
        }
        return out;
    }

    private static Map<String, Object> config(RunContext c) {
        TrainConfig k = c.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", k.model());
        m.put("widths", c.widths());
        m.put("data", k.data());
        m.put("optimizer", c.optimizer());
        m.put("lr", k.lr());
        m.put("momentum", k.momentum());
        m.put("batch", k.batch());
        m.put("steps", c.totalSteps());
        m.put("seed", k.seed());
        m.put("reference_size", c.reference().n());
        m.put("tol", k.tol());
        m.put("max_splits", k.maxSplits());
        m.put("estimators", new ArrayList<>(c.accumulators().keySet()));
        m.put("estimator_batches", k.estimatorBatches());
        m.put("save_trajectory", k.saveTrajectory());
        m.put("device", k.device());
        return m;
    }

    private static Map<String, Object> data(RunContext c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", c.dataSource());
        m.put("train_rows", c.trainRows());
        m.put("validation_rows", c.validationRows());
        m.put("reference", c.referenceNote());
        m.put("reference_rows", c.reference().n());
        return m;
    }

    private static Map<String, Object> environment(RunContext c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lca4j", RunJson.class.getPackage().getImplementationVersion() == null ? "dev" : RunJson.class.getPackage().getImplementationVersion());
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("blas", Gemm.implementation());
        // --device chooses where LCA is accumulated and, for cuda, where gradients are computed; the
        // optimizer and the O(D) bookkeeping run on the host either way.
        org.lca4j.Lca.Backend backend = org.lca4j.Lca.backend(c.config().device());
        m.put("lca_device", backend.description());
        // Per-layer step sums are added in another order by the vector loop than by the scalar one.
        if (backend.name().equals("cpu")) m.put("cpu_kernel", org.lca4j.cpu.CpuLcaAccumulator.defaultKernelName());
        m.put("gradients", backend.name().equals("cuda") ? org.lca4j.cuda.GpuGradients.where() : "gradients on the CPU");
        return m;
    }

    private static Map<String, Object> summary(RunSummary s, ParamLayout layout) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", s.steps());
        if (s.conservation() != null) m.put("conservation", conservation(s.conservation()));
        if (s.validationConservation() != null) m.put("validation_conservation", conservation(s.validationConservation()));
        Map<String, Object> helped = new LinkedHashMap<>();
        s.meanHelpedFraction().forEach((k, v) -> helped.put(k, Json.num(v)));
        m.put("mean_helped_fraction", helped);
        Map<String, Object> totals = new LinkedHashMap<>();
        s.layerTotals().forEach((k, v) -> {
            Map<String, Object> byLayer = new LinkedHashMap<>();
            for (int l = 0; l < v.length; l++) byLayer.put(layout.layer(l).name(), v[l]);
            totals.put(k, byLayer);
        });
        m.put("layer_totals", totals);
        if (!s.estimators().isEmpty()) {
            Map<String, Object> est = new LinkedHashMap<>();
            for (EstimatorReport r : s.estimators()) est.put(r.name(), EstimatorJson.of(r));
            m.put("estimators", est);
            Map<String, Object> best = new LinkedHashMap<>();
            s.bestByCost().forEach((k, v) -> best.put(String.valueOf(k), v));
            m.put("best_by_cost", best);
            m.put("best_criterion", Study.BEST_CRITERION);
        }
        m.put("training_ms_per_step", Json.num(s.trainingMsPerStep()));
        m.put("exact_ms_per_step", Json.num(s.exactMsPerStep()));
        if (s.conservation() != null && Double.isFinite(s.trainingMsPerStep()) && s.trainingMsPerStep() > 0) {
            m.put("exact_relative_time", (s.trainingMsPerStep() + s.exactMsPerStep()) / s.trainingMsPerStep());
        }
        m.put("helped_fraction_paper", "Lan et al. 2019 (MNIST-FC on MNIST): 50.3%–51.6% of parameters help at a step");
        m.put("final_batch_loss", Json.num(s.finalBatchLoss()));
        // Jackson writes the Accuracy records as they are: {rows, start, end}, all finite.
        if (!s.accuracy().isEmpty()) m.put("accuracy", s.accuracy());
        m.put("seconds", s.seconds());
        m.put("reference_gradient_evaluations", s.referenceEvaluations());
        m.put("batch_gradient_evaluations", s.batchEvaluations());
        return m;
    }

    private static Map<String, Object> conservation(RunSummary.Conservation c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total_lca", c.totalLca());
        m.put("total_loss_change", c.totalLossChange());
        m.put("rel_error", Json.num(c.relError()));
        m.put("max_step_abs_error", c.maxStepAbsError());
        m.put("sum_abs_error", c.sumAbsError());
        m.put("initial_loss", c.initialLoss());
        m.put("final_loss", c.finalLoss());
        m.put("mean_splits", c.meanSplits());
        m.put("max_splits_used", c.maxSplitsUsed());
        m.put("steps_over_tolerance", c.stepsOverTolerance());
        return m;
    }
}
