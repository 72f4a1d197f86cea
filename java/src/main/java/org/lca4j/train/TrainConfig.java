package org.lca4j.train;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything that determines a training run and its LCA; recorded verbatim in run.json.
 *
 * @param model         "mnist-fc" or widths such as "784,300,100,10"
 * @param data          "fashion-mnist", "synthetic", or an MNIST-format directory
 * @param optimizer     "sgd" or "adam"
 * @param steps         optimizer steps; when 0, {@code epochs} full passes decide
 * @param referenceSize rows of the training split used as R for exact LCA; 0 = all of it
 * @param validationSize rows held out from the training file (the paper holds out 5,000 of 60,000); -1 = 1/12 of the rows
 * @param estimators    "exact" and/or estimator names of docs/LCA.md; "all" = every one
 * @param estimatorBatches k: next-batch points average k independent batches
 * @param validationLca also compute exact LCA on the validation split (the paper's "test LCA")
 * @param device        LCA backend: "auto" (CUDA when usable, else CPU), "cpu" or "cuda"
 */
public record TrainConfig(
        String model,
        String data,
        String optimizer,
        double lr,
        double momentum,
        int batch,
        long steps,
        int epochs,
        long seed,
        int referenceSize,
        int validationSize,
        double tol,
        int maxSplits,
        List<String> estimators,
        int estimatorBatches,
        boolean validationLca,
        boolean saveTrajectory,
        int syntheticSize,
        String device,
        Path out) {

    public TrainConfig {
        estimators = List.copyOf(estimators);
        if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
            throw new IllegalArgumentException("--optimizer must be sgd or adam, got '" + optimizer + "'");
        }
        if (batch < 1) throw new IllegalArgumentException("--batch must be positive, got " + batch);
        if (steps < 0) throw new IllegalArgumentException("--steps must be ≥ 0, got " + steps);
        if (epochs < 0) throw new IllegalArgumentException("--epochs must be ≥ 0, got " + epochs);
        if (validationSize < -1) throw new IllegalArgumentException("--validation-size must be ≥ 0, got " + validationSize);
        if (referenceSize < 0) throw new IllegalArgumentException("--reference-size must be ≥ 0 (0 = whole training set), got " + referenceSize);
        if (!optimizer.equals("sgd") && momentum != 0) throw new IllegalArgumentException("--momentum applies to sgd only");
        if (estimatorBatches < 1) throw new IllegalArgumentException("--estimator-batches must be ≥ 1, got " + estimatorBatches);
        if (!List.of("auto", "cpu", "cuda").contains(device)) throw new IllegalArgumentException("--device must be auto, cpu or cuda, got '" + device + "'");
    }

    /** The defaults of `./lca train`, except {@code estimators} (exact only here, all there) and {@code out} (runs/latest). */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.model = model; b.data = data; b.optimizer = optimizer; b.lr = lr; b.momentum = momentum; b.batch = batch;
        b.steps = steps; b.epochs = epochs; b.seed = seed; b.referenceSize = referenceSize; b.validationSize = validationSize;
        b.tol = tol; b.maxSplits = maxSplits; b.estimators = estimators; b.estimatorBatches = estimatorBatches; b.validationLca = validationLca;
        b.saveTrajectory = saveTrajectory; b.syntheticSize = syntheticSize; b.device = device; b.out = out;
        return b;
    }

    /**
     * Fluent construction with the CLI's defaults (the paper's MNIST-FC setup on Fashion-MNIST), but
     * exact LCA only and runs/latest; momentum 0.9 must be set to 0 for adam.
     */
    public static final class Builder {
        private String model = "mnist-fc";
        private String data = "fashion-mnist";
        private String optimizer = "sgd";
        private double lr = 0.01;
        private double momentum = 0.9;
        private int batch = 250;
        private long steps = 0;
        private int epochs = 1;
        private long seed = 1;
        private int referenceSize = 0;
        private int validationSize = -1;
        private double tol = 1e-3;
        private int maxSplits = 32;
        private List<String> estimators = List.of("exact");
        private int estimatorBatches = 1;
        private boolean validationLca = false;
        private boolean saveTrajectory = false;
        private int syntheticSize = 6000;
        private String device = "auto";
        private Path out = Path.of("runs", "latest");

        public Builder model(String v) { model = v; return this; }
        public Builder data(String v) { data = v; return this; }
        public Builder optimizer(String v) { optimizer = v; return this; }
        public Builder lr(double v) { lr = v; return this; }
        public Builder momentum(double v) { momentum = v; return this; }
        public Builder batch(int v) { batch = v; return this; }
        public Builder steps(long v) { steps = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder referenceSize(int v) { referenceSize = v; return this; }
        public Builder validationSize(int v) { validationSize = v; return this; }
        public Builder tol(double v) { tol = v; return this; }
        public Builder maxSplits(int v) { maxSplits = v; return this; }
        public Builder estimators(List<String> v) { estimators = v; return this; }
        public Builder estimatorBatches(int v) { estimatorBatches = v; return this; }
        public Builder validationLca(boolean v) { validationLca = v; return this; }
        public Builder saveTrajectory(boolean v) { saveTrajectory = v; return this; }
        public Builder syntheticSize(int v) { syntheticSize = v; return this; }
        public Builder device(String v) { device = v; return this; }
        public Builder out(Path v) { out = v; return this; }

        public TrainConfig build() {
            return new TrainConfig(model, data, optimizer, lr, momentum, batch, steps, epochs, seed, referenceSize,
                    validationSize, tol, maxSplits, estimators, estimatorBatches, validationLca, saveTrajectory, syntheticSize, device, out);
        }
    }
}
