package org.lca4j.train;

import java.util.List;

/** Receives a run as it goes; the run directory writer and the progress bar are both listeners. */
public interface RunListener {
    default void started(RunContext context) {
    }

    default void stepDone(StepEvent event) {
    }

    default void finished(RunSummary summary) {
    }

    /** The run stopped on an error; records written so far must stay readable. */
    default void failed(Throwable error) {
    }

    static RunListener all(List<RunListener> listeners) {
        return new RunListener() {
            @Override
            public void started(RunContext c) {
                listeners.forEach(l -> l.started(c));
            }

            @Override
            public void stepDone(StepEvent e) {
                listeners.forEach(l -> l.stepDone(e));
            }

            @Override
            public void finished(RunSummary s) {
                listeners.forEach(l -> l.finished(s));
            }

            @Override
            public void failed(Throwable t) {
                listeners.forEach(l -> l.failed(t));
            }
        };
    }
}
