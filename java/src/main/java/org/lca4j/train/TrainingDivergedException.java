package org.lca4j.train;

/** The training loss became NaN or infinite; records up to the previous step are kept. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }

    public TrainingDivergedException(String message, Throwable cause) {
        super(message, cause);
    }
}
