package org.lca4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lca4j.live.FinishedRun;
import org.lca4j.live.LiveServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "view", mixinStandardHelpOptions = true,
        description = "Serve a finished run directory in the live view (the page `train --serve` shows), until Ctrl-C.")
final class ViewCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR", description = "a run directory written by train, demo or the DL4J listener")
    Path dir;

    @Option(names = "--port", description = "port (default: ${DEFAULT-VALUE}; 0 = any free port)", defaultValue = "" + ServeOption.DEFAULT_PORT)
    int port;

    @Option(names = "--host", description = "address to listen on (default: ${DEFAULT-VALUE})", defaultValue = "127.0.0.1")
    String host;

    @Override
    public Integer call() throws Exception {
        LiveServer live = new LiveServer(host, port);
        FinishedRun.Published run;
        try {
            run = FinishedRun.publish(dir, live);
        } catch (RuntimeException | java.io.IOException e) {
            live.close();
            throw e;
        }
        System.out.println("serving " + dir.toAbsolutePath() + " (" + run.steps() + " steps) at " + live.url());
        // The page is a snapshot: say whether more is coming, or never will.
        if (run.stillTraining()) {
            System.out.println("the run is still training: this page holds the steps recorded so far (reopen view for more)");
        } else if (run.status().equals("running")) {
            System.out.println("the run is marked running, but " + run.gone().orElseThrow());
        }
        RunLauncher.serveUntilInterrupted(live);
        return 0;
    }
}
