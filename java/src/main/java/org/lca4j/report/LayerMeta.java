package org.lca4j.report;

/** One layer as run.json's {@code layers} names it; {@code size} is 0 when run.json does not list the layer. */
record LayerMeta(String name, long size) {
}
