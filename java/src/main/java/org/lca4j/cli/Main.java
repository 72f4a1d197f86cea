package org.lca4j.cli;
public final class Main { public static void main(String[] a){ var b = dev.ludovic.netlib.blas.BLAS.getInstance(); System.out.println(b.getClass()); } }
