package org.lca4j.cli;

import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.lca4j.train.RunContext;
import org.lca4j.train.RunListener;
import org.lca4j.train.RunSummary;
import org.lca4j.train.StepEvent;

/** A terminal progress bar with the batch loss, the exact LCA splits and the time per step. */
final class ProgressListener implements RunListener {
    private final String task;
    private ProgressBar bar;

    ProgressListener(String task) {
        this.task = task;
    }

    @Override
    public void started(RunContext c) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(c.totalSteps()).setStyle(ProgressBarStyle.ASCII);
        if (System.console() == null) {
            // Not a terminal (a log, CI): one plain line every few seconds instead of carriage-return redraws.
            b.setConsumer(new DelegatingProgressBarConsumer(System.err::println, 110)).setUpdateIntervalMillis(5000);
        } else {
            b.setMaxRenderedLength(120).setUpdateIntervalMillis(500);
        }
        bar = b.build();
    }

    @Override
    public void stepDone(StepEvent e) {
        StringBuilder m = new StringBuilder();
        if (!Double.isNaN(e.batchLoss())) m.append(String.format("loss %.4f", e.batchLoss()));
        if (e.exact() != null) {
            if (!m.isEmpty()) m.append(" | ");
            m.append(String.format("L_R %.4f n=%d", e.exact().lossAfter(), e.exact().splits()));
        }
        m.append(String.format(" | %.0f ms", e.nanos() / 1e6));
        bar.setExtraMessage(m.toString());
        bar.stepTo(e.step() + 1);
    }

    @Override
    public void finished(RunSummary s) {
        close();
    }

    @Override
    public void failed(Throwable error) {
        close();
    }

    private void close() {
        if (bar != null) bar.close();
        bar = null;
    }
}
