package org.lca4j.nn;

/** Updates θ in place from a gradient, with PyTorch's semantics for each rule. */
public sealed interface Optimizer permits Sgd, Adam {
    void step(float[] theta, float[] grad);

    String describe();
}
