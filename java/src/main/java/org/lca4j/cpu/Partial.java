package org.lca4j.cpu;

/** One chunk's share of a layer's step: Σ A and the counts of A &lt; 0 and A &gt; 0. */
record Partial(double sum, long helped, long hurt) {
}
