package org.lca4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lca4j.data.DataSources;
import org.lca4j.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"The paper's MNIST-FC run (784-100-50-10, SGD momentum 0.9, lr 0.01, batch 250, one epoch) on Fashion-MNIST",
                "with exact LCA on a seeded reference subset, sized to finish in about a minute on 2 cores."})
final class DemoCommand implements Callable<Integer> {
    static final int DEMO_REFERENCE_SIZE = 20000;

    @Option(names = "--data", description = "fashion-mnist, synthetic, or an MNIST-format directory (default: fashion-mnist, synthetic when it is not installed)")
    String data;

    @Option(names = "--reference-size", paramLabel = "M", description = "rows of the reference set for exact LCA (default: ${DEFAULT-VALUE})", defaultValue = "" + DEMO_REFERENCE_SIZE)
    int referenceSize;

    @Option(names = "--steps", description = "optimizer steps (default: one epoch: 220 steps on Fashion-MNIST, 22 on synthetic data)")
    Long steps;

    @Option(names = "--out", description = "run directory, new or empty (default: runs/demo-<timestamp>)")
    Path out;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @picocli.CommandLine.Mixin
    ServeOption serve;

    @Option(names = "--device", description = "where LCA is accumulated, and every gradient (training's too) computed when cuBLAS is found: auto, cpu or cuda (default: ${DEFAULT-VALUE})", defaultValue = "auto")
    String device;

    @Override
    public Integer call() throws Exception {
        String d = data;
        if (d == null) {
            d = Files.isDirectory(DataSources.FASHION_MNIST) ? "fashion-mnist" : "synthetic";
            if (d.equals("synthetic")) {
                System.out.println("note: Fashion-MNIST is not installed at " + DataSources.FASHION_MNIST
                        + " (apt-get install dataset-fashion-mnist); running on synthetic data instead");
            }
        }
        if (steps != null && steps < 1) throw new IllegalArgumentException("--steps must be positive, got " + steps + " (leave it out for one epoch)");
        TrainConfig cfg = TrainConfig.builder().data(d).referenceSize(referenceSize).steps(steps == null ? 0 : steps).estimators(java.util.List.of("all")).device(device)
                .out(out != null ? out : RunLauncher.timestamped("demo")).build();
        System.out.println("lca4j demo: MNIST-FC on " + d + ", exact LCA and every estimator");
        RunLauncher.runAndReport(cfg, !noProgress, true, serve, java.util.Map.of());
        return 0;
    }
}
