package org.lca4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lca4j.live.LiveListener;
import org.lca4j.live.LiveServer;
import org.lca4j.report.ReportWriter;
import org.lca4j.run.RecordSizes;
import org.lca4j.run.RunRecorder;
import org.lca4j.train.RunListener;
import org.lca4j.train.RunSummary;
import org.lca4j.train.TrainConfig;
import org.lca4j.train.Trainer;

/** Runs a configured training with its run directory and progress bar, then prints the summary. */
final class RunLauncher {
    private RunLauncher() {
    }

    /** Keeps the live view up after the run (the records are complete), until Ctrl-C. */
    static void serveUntilInterrupted(LiveServer live) {
        System.out.println("still serving the live view at " + live.url() + " (Ctrl-C to stop)");
        Runtime.getRuntime().addShutdownHook(new Thread(live::close));
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ctrl-C or a kill signal during the run closes its records at the last whole step (run.json: interrupted). */
    static Thread closeOnSignal(RunRecorder recorder) {
        Thread hook = new Thread(() -> {
            long steps = recorder.interrupted("stopped from outside (Ctrl-C or a signal) during the run");
            if (steps >= 0) {
                System.err.println("\nlca: stopped; " + recorder.dir().toAbsolutePath() + " keeps the " + steps + " steps recorded (run.json: interrupted)");
            }
        }, "lca4j-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    static void release(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: it closed the records
        }
    }

    /** runs/KIND-time, with -2, -3 … when a run of the same second is there already (a run directory must be new). */
    static Path timestamped(String kind) {
        Path base = Path.of("runs", kind + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path p = base;
        for (int i = 2; java.nio.file.Files.exists(p); i++) p = Path.of(base + "-" + i);
        return p;
    }

    static RunSummary runAndReport(TrainConfig cfg, boolean progress, boolean report, ServeOption serve, Map<String, Object> extra) throws IOException {
        PrintStream out = System.out;
        // One line either way, so a user on a machine without a GPU sees why the CPU is used; an
        // unusable --device cuda fails here, before the run directory exists.
        org.lca4j.Lca.Backend backend = org.lca4j.Lca.backend(cfg.device());
        out.println("LCA device: " + backend.description() + "; "
                + (backend.name().equals("cuda") ? org.lca4j.cuda.GpuGradients.where() : "training on the CPU"));
        List<RunListener> listeners = new ArrayList<>();
        RunRecorder recorder = new RunRecorder(cfg.out(), extra);
        listeners.add(recorder);
        // Said once the options and data are found good and the directory is written, not before.
        listeners.add(new RunListener() {
            @Override
            public void started(org.lca4j.train.RunContext c) {
                out.println("run directory: " + cfg.out().toAbsolutePath());
                RecordSizes.shortfall(c, cfg.out()).ifPresent(out::println);
                if (c.accumulators().containsKey(Trainer.EXACT)) out.println("exact LCA's reference set: " + c.referenceNote());
            }
        });
        if (progress) listeners.add(new ProgressListener("train"));
        LiveServer live = null;
        if (serve != null && serve.port != null) {
            live = new LiveServer(serve.host, serve.port);
            listeners.add(new LiveListener(live));
            out.println("live view: " + live.url());
        }
        Thread onSignal = closeOnSignal(recorder);
        RunSummary s;
        try {
            s = Trainer.run(cfg, RunListener.all(listeners));
        } catch (RuntimeException e) {
            if (live != null) live.close();
            throw e;
        } finally {
            release(onSignal);
        }
        SummaryPrinter.print(out, s, org.lca4j.nn.Mlp.parse(cfg.model()).layout(), cfg.out());
        if (report) {
            Path html = ReportWriter.write(cfg.out());
            out.println("report: " + html.toAbsolutePath()
                    + ReportWriter.figuresLeftOut().map(why -> " (figures left out: Java could not draw text here: " + why
                    + "; " + ReportWriter.FONTS_INSTALL + ")").orElse(""));
        }
        if (live != null) serveUntilInterrupted(live);
        return s;
    }
}
