package org.lca4j.cli;

import java.nio.file.Path;
import java.util.List;
import org.lca4j.train.TrainConfig;
import picocli.CommandLine.Option;

/** The options of `lca train`; names are part of the documented interface (README). */
final class TrainOptions {
    @Option(names = "--model", description = "mnist-fc (784,100,50,10) or widths like 784,300,100,10 (default: ${DEFAULT-VALUE})", defaultValue = "mnist-fc")
    String model;

    @Option(names = "--data", description = "fashion-mnist, synthetic, or an MNIST-format directory (default: ${DEFAULT-VALUE})", defaultValue = "fashion-mnist")
    String data;

    @Option(names = "--optimizer", description = "sgd or adam (default: ${DEFAULT-VALUE})", defaultValue = "sgd")
    String optimizer;

    @Option(names = "--momentum", description = "SGD momentum (default: 0.9 for sgd)")
    Double momentum;

    @Option(names = "--lr", description = "learning rate (default: 0.01 for sgd, 0.001 for adam)")
    Double lr;

    @Option(names = "--batch", description = "minibatch size (default: ${DEFAULT-VALUE})", defaultValue = "250")
    int batch;

    @Option(names = "--steps", description = "optimizer steps; overrides --epochs")
    Long steps;

    @Option(names = "--epochs", description = "passes over the training split (default: ${DEFAULT-VALUE})", defaultValue = "1")
    int epochs;

    @Option(names = "--seed", description = "seed for init, split, batch order and subsets (default: ${DEFAULT-VALUE})", defaultValue = "1")
    long seed;

    @Option(names = "--reference-size", paramLabel = "M", description = "exact LCA on a seeded subset of M training rows instead of all of them")
    Integer referenceSize;

    @Option(names = "--validation-size", description = "rows held out for validation (default: 1/12 of the file, i.e. 5000 of 60000)")
    Integer validationSize;

    @Option(names = "--validation-lca", description = "also compute exact LCA on the validation split (the paper's test LCA)")
    boolean validationLca;

    @Option(names = "--tol", description = "exact LCA: largest |e_t| before doubling the Simpson splits (default: ${DEFAULT-VALUE})", defaultValue = "1e-3")
    double tol;

    @Option(names = "--max-splits", description = "exact LCA: most Simpson splits per step, a power of two (default: ${DEFAULT-VALUE})", defaultValue = "32")
    int maxSplits;

    @Option(names = "--estimators", split = ",", description = {"LCA to compute: exact and/or first_order, same_batch, next_batch, next_batch_end,",
            "next_batch_trap, next_batch_simpson, free_trap, debiased_trap; 'all' = every one (default: ${DEFAULT-VALUE})"}, defaultValue = "all")
    List<String> estimators;

    @Option(names = "--estimator-batches", paramLabel = "k", description = "next-batch points average k independent batches, at k× their extra evaluations (default: ${DEFAULT-VALUE})", defaultValue = "1")
    int estimatorBatches;

    @Option(names = "--report", description = "write report.html: exact vs every estimator, the paper's views, cost vs quality")
    boolean report;

    @Option(names = "--preset", description = "paper-mnist-fc: the paper's setup exactly (mnist-fc, SGD momentum 0.9, lr 0.01, batch 250, 1 epoch, 55k/5k split, exact LCA on all 55k rows, every estimator); implies --report")
    String preset;

    @Option(names = "--save-trajectory", description = "also write trajectory/ (θ per step, model, reference set) for `lca analyze`")
    boolean saveTrajectory;

    @Option(names = "--synthetic-size", description = "rows of --data synthetic (default: ${DEFAULT-VALUE})", defaultValue = "6000")
    int syntheticSize;

    @Option(names = "--out", description = "run directory, new or empty (default: runs/train-<timestamp>; under --preset runs/paper-mnist-fc-<timestamp>)")
    Path out;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @Option(names = "--device", description = "where LCA is accumulated, and every gradient (training's too) computed when cuBLAS is found: auto (CUDA when a GPU and the native library are usable, else CPU), cpu or cuda (default: ${DEFAULT-VALUE})", defaultValue = "auto")
    String device;

    /** Options a preset fixes; giving one of them with --preset is an error rather than a silent override. */
    static final List<String> PRESET_FIXED = List.of("--model", "--optimizer", "--momentum", "--lr", "--batch", "--steps", "--epochs",
            "--reference-size", "--validation-size", "--estimators", "--estimator-batches", "--tol", "--max-splits", "--synthetic-size");

    TrainConfig.Builder toBuilder(picocli.CommandLine.ParseResult parsed) {
        if (preset == null) return toBuilder();
        if (!preset.equals("paper-mnist-fc")) throw new IllegalArgumentException("--preset must be paper-mnist-fc, got '" + preset + "'");
        for (String o : PRESET_FIXED) {
            if (parsed.hasMatchedOption(o)) throw new IllegalArgumentException(o + " cannot be combined with --preset " + preset + ", which fixes it");
        }
        report = true;
        return toBuilder().model("mnist-fc").optimizer("sgd").momentum(0.9).lr(0.01).batch(250).steps(0).epochs(1)
                .referenceSize(0).validationSize(5000).estimators(List.of("all")).estimatorBatches(1).tol(1e-3).maxSplits(32)
                .out(out != null ? out : RunLauncher.timestamped("paper-mnist-fc"));
    }

    TrainConfig.Builder toBuilder() {
        // 0 would mean "not given" (train --epochs) to TrainConfig; given, it is a mistake.
        if (steps != null && steps < 1) throw new IllegalArgumentException("--steps must be positive, got " + steps + " (leave it out to train --epochs)");
        if (validationSize != null && validationSize < 0) {
            throw new IllegalArgumentException("--validation-size must be ≥ 0, got " + validationSize + " (leave it out for 1/12 of the file)");
        }
        boolean adam = optimizer.equals("adam");
        return TrainConfig.builder()
                .model(model).data(data).optimizer(optimizer)
                .momentum(momentum != null ? momentum : adam ? 0 : 0.9)
                .lr(lr != null ? lr : adam ? 1e-3 : 0.01)
                .batch(batch).steps(steps == null ? 0 : steps).epochs(epochs).seed(seed)
                .referenceSize(referenceSize == null ? 0 : referenceSize)
                .validationSize(validationSize == null ? -1 : validationSize)
                .validationLca(validationLca).tol(tol).maxSplits(maxSplits).estimators(estimators).estimatorBatches(estimatorBatches)
                .saveTrajectory(saveTrajectory).syntheticSize(syntheticSize).device(device)
                .out(out != null ? out : RunLauncher.timestamped("train"));
    }
}
