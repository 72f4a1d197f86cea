package org.lca4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lca4j.cpu.CpuLcaAccumulator;
import org.lca4j.nn.Gemm;
import org.lca4j.run.Json;
import org.lca4j.run.LayersCsv;
import org.lca4j.run.RecordSizes;
import org.lca4j.run.RunFiles;
import org.lca4j.run.RunRecorder;
import org.lca4j.run.Trajectory;
import org.lca4j.train.Replay;
import org.lca4j.train.RunListener;
import org.lca4j.train.RunSummary;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Recompute exact LCA after the fact from a saved trajectory (train --save-trajectory), "
                + "write it to DIR/analysis/ and compare it with the LCA recorded during training.")
final class AnalyzeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "a run directory with trajectory/, or a trajectory directory")
    Path dir;

    @Option(names = "--tol", description = "largest |e_t| before doubling splits (default: the run's, else 1e-3)")
    Double tol;

    @Option(names = "--max-splits", description = "most Simpson splits per step (default: the run's, else 32)")
    Integer maxSplits;

    @Option(names = "--out", description = "where to write the analysis, a new or empty directory (default: DIR/analysis)")
    Path out;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        Trajectory tr = Trajectory.load(dir);
        Path runDir = tr.dir().getFileName().toString().equals(RunFiles.TRAJECTORY_DIR) ? tr.dir().getParent() : tr.dir();
        JsonNode recorded = Files.isRegularFile(runDir.resolve(RunFiles.RUN_JSON)) ? Json.read(runDir.resolve(RunFiles.RUN_JSON)) : null;
        double t = tol != null ? tol : recorded != null ? recorded.path("config").path("tol").asDouble(1e-3) : 1e-3;
        int ms = maxSplits != null ? maxSplits : recorded != null ? recorded.path("config").path("max_splits").asInt(32) : 32;
        Path target = out != null ? out : runDir.resolve(RunFiles.ANALYSIS_DIR);
        if (tr.rows() < tr.plannedRows()) {
            System.out.println("note: " + tr.dir().resolve(RunFiles.THETA_NPY) + " holds " + tr.rows() + " of " + tr.plannedRows()
                    + " planned θ rows (the run stopped early); analysing the " + (tr.rows() - 1) + " complete steps");
        }
        // Replay runs on the CPU (Lca.cpu, CPU gradients), whatever --device training had.
        TrainConfig cfg = TrainConfig.builder().model(joinWidths(tr.model().widths())).data("trajectory").tol(t).maxSplits(ms)
                .steps(tr.rows() - 1).device("cpu").out(target).build();
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("analysis_of", tr.dir().toAbsolutePath().toString());
        extra.put("config", config(cfg, tr));
        extra.put("data", data(tr, recorded));
        List<RunListener> listeners = new ArrayList<>();
        RunRecorder recorder = new RunRecorder(target, extra);
        listeners.add(recorder);
        listeners.add(new RunListener() {
            @Override
            public void started(org.lca4j.train.RunContext c) {
                RecordSizes.shortfall(c, target).ifPresent(System.out::println);
            }
        });
        if (!noProgress) listeners.add(new ProgressListener("analyze"));
        System.out.println("exact LCA over " + (tr.rows() - 1) + " saved steps, reference set of " + tr.reference().n() + " rows -> " + target.toAbsolutePath());
        Thread onSignal = RunLauncher.closeOnSignal(recorder);
        RunSummary s;
        try {
            s = Replay.run(cfg, tr.model(), tr.reference(), tr.referenceNote(), tr.rows(), tr::row, RunListener.all(listeners));
        } finally {
            RunLauncher.release(onSignal);
        }
        SummaryPrinter.print(System.out, s, tr.model().layout(), target);
        Path trainedLayers = runDir.resolve(RunFiles.LAYERS_CSV);
        if (Files.isRegularFile(trainedLayers)) {
            LayersCsv.Agreement a = LayersCsv.compare(LayersCsv.read(target.resolve(RunFiles.LAYERS_CSV), Trainer.EXACT),
                    LayersCsv.read(trainedLayers, Trainer.EXACT));
            if (a.compared() == 0) {
                System.out.println("no in-training exact LCA in " + trainedLayers + " to compare with");
            } else {
                System.out.printf("agreement with in-training exact LCA: %d per-step per-layer values, max |difference| %.3e (largest value %.3e)%s%n",
                        a.compared(), a.maxAbsDifference(), a.maxAbsValue(), a.identical() ? ", bit-identical" : whyNotIdentical(recorded));
            }
        }
        return 0;
    }

    /**
     * Why the recomputed LCA can differ in the last bits from the recorded one on a sound run, as
     * far as the run's run.json tells (README, "Which runs give the same bits"): its gradients came
     * from cuBLAS, its per-layer sums were added on CUDA, its matrix products were rounded by another
     * BLAS setup, or its per-layer sums were added by the other CPU loop. The analysis itself always
     * runs on the CPU.
     */
    static String whyNotIdentical(JsonNode recorded) {
        if (recorded == null) return "";
        JsonNode env = recorded.path("environment");
        List<String> why = new ArrayList<>();
        if (env.path("lca_device").asText("").startsWith("cuda")) {
            // Without cuBLAS a --device cuda run computes its gradients on the CPU (environment.gradients
            // says so): then only its per-layer sums were added on CUDA, in another order.
            why.add(env.path("gradients").asText("").startsWith("gradients on the CPU")
                    ? "the run added its LCA on CUDA (per-layer sums in another order; its gradients on the CPU), this analysis on the CPU"
                    : "the run computed its gradients and LCA on CUDA, this analysis on the CPU");
        }
        String blas = env.path("blas").asText(null), nowBlas = Gemm.implementation();
        if (blas != null && !blas.equals(nowBlas)) why.add("the run's matrix products were rounded by " + blas + ", this analysis's by " + nowBlas);
        String kernel = env.path("cpu_kernel").asText(null), nowKernel = CpuLcaAccumulator.defaultKernelName();
        if (kernel != null && !kernel.equals(nowKernel)) {
            why.add("the run's per-layer sums were added by the " + kernel + " loop, this analysis's by the " + nowKernel + " one (another order)");
        }
        return why.isEmpty() ? "" : "; " + String.join("; ", why);
    }

    /**
     * What the analysis ran with: not TrainConfig's training defaults (lr, batch, seed, …), which a
     * trajectory does not record and the analysis never used.
     */
    private static Map<String, Object> config(TrainConfig cfg, Trajectory tr) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", cfg.model());
        m.put("widths", tr.model().widths());
        m.put("data", cfg.data());
        m.put("steps", cfg.steps());
        m.put("reference_size", tr.reference().n());
        m.put("tol", cfg.tol());
        m.put("max_splits", cfg.maxSplits());
        m.put("estimators", List.of(Trainer.EXACT));
        m.put("device", cfg.device());
        return m;
    }

    /**
     * What the analysis read. A trajectory holds only the reference set, so the training split's
     * sizes are the run's own run.json's when it is there, and absent otherwise (not 0).
     */
    private static Map<String, Object> data(Trajectory tr, JsonNode recorded) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", "saved trajectory");
        JsonNode trained = recorded == null ? null : recorded.path("data");
        for (String k : new String[] {"train_rows", "validation_rows"}) {
            if (trained != null && trained.path(k).canConvertToLong()) m.put(k, trained.path(k).asLong());
        }
        m.put("reference", tr.referenceNote());
        m.put("reference_rows", tr.reference().n());
        return m;
    }

    private static String joinWidths(int[] w) {
        StringBuilder b = new StringBuilder();
        for (int v : w) b.append(b.isEmpty() ? "" : ",").append(v);
        return b.toString();
    }
}
