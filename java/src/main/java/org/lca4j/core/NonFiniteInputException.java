package org.lca4j.core;

/** A gradient, parameter or update held NaN or ±Inf; the message names the step, the input and the parameter. */
public final class NonFiniteInputException extends IllegalArgumentException {
    public NonFiniteInputException(String message) {
        super(message);
    }
}
