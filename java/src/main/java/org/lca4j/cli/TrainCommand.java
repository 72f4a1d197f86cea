package org.lca4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an MLP and compute LCA for every step, writing a run directory (README: Outputs).")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    TrainOptions options;

    @Override
    public Integer call() throws Exception {
        RunLauncher.runAndReport(options.toBuilder().build(), !options.noProgress);
        return 0;
    }
}
