package org.lca4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an MLP and compute LCA for every step, writing a run directory (README: Outputs).")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    TrainOptions options;

    @Mixin
    ServeOption serve;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var cfg = options.toBuilder(spec.commandLine().getParseResult()).build();
        RunLauncher.runAndReport(cfg, !options.noProgress, options.report, serve,
                options.preset == null ? java.util.Map.of() : java.util.Map.of("preset", options.preset));
        return 0;
    }
}
