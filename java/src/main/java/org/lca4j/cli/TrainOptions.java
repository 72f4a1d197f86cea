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

    @Option(names = "--estimators", split = ",", description = "LCA estimators to compute (available now: exact; default: exact)", defaultValue = "exact")
    List<String> estimators;

    @Option(names = "--save-trajectory", description = "also write trajectory/ (θ per step, model, reference set) for `lca analyze`")
    boolean saveTrajectory;

    @Option(names = "--synthetic-size", description = "rows of --data synthetic (default: ${DEFAULT-VALUE})", defaultValue = "6000")
    int syntheticSize;

    @Option(names = "--out", description = "run directory (default: runs/<timestamp>)")
    Path out;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    TrainConfig.Builder toBuilder() {
        boolean adam = optimizer.equals("adam");
        return TrainConfig.builder()
                .model(model).data(data).optimizer(optimizer)
                .momentum(momentum != null ? momentum : adam ? 0 : 0.9)
                .lr(lr != null ? lr : adam ? 1e-3 : 0.01)
                .batch(batch).steps(steps == null ? 0 : steps).epochs(epochs).seed(seed)
                .referenceSize(referenceSize == null ? 0 : referenceSize)
                .validationSize(validationSize == null ? -1 : validationSize)
                .validationLca(validationLca).tol(tol).maxSplits(maxSplits).estimators(estimators)
                .saveTrajectory(saveTrajectory).syntheticSize(syntheticSize)
                .out(out != null ? out : RunLauncher.timestamped("train"));
    }
}
