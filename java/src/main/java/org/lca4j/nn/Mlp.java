package org.lca4j.nn;

import java.util.Arrays;
import java.util.Random;
import org.lca4j.core.ParamLayout;

/**
 * A fully connected ReLU network with a softmax cross-entropy head, over a flat float32 parameter
 * vector laid out like PyTorch's {@code named_parameters()}: fc1.weight [out,in], fc1.bias [out], ...
 * Matrix products go through {@link Gemm}; the rest are single loops in a fixed order, so the
 * same parameters and rows always give the same bits with the same BLAS (its kernels and, for
 * OpenBLAS, its thread count decide the products' rounding: {@link Gemm#implementation}).
 */
public final class Mlp {
    /** The paper's MNIST-FC network. */
    public static final int[] MNIST_FC = {784, 100, 50, 10};

    private final int[] widths;
    private final ParamLayout layout;
    private final int[] wOff;
    private final int[] bOff;

    public Mlp(int... widths) {
        if (widths.length < 2) throw new IllegalArgumentException("an MLP needs at least input and output widths, got " + Arrays.toString(widths));
        for (int w : widths) if (w <= 0) throw new IllegalArgumentException("MLP widths must be positive: " + Arrays.toString(widths));
        this.widths = widths.clone();
        ParamLayout.Builder b = ParamLayout.builder();
        for (int l = 0; l + 1 < widths.length; l++) {
            b.add("fc" + (l + 1) + ".weight", widths[l + 1], widths[l]);
            b.add("fc" + (l + 1) + ".bias", widths[l + 1]);
        }
        this.layout = b.build();
        int layers = widths.length - 1;
        wOff = new int[layers];
        bOff = new int[layers];
        for (int l = 0; l < layers; l++) {
            wOff[l] = (int) layout.layer(2 * l).offset();
            bOff[l] = (int) layout.layer(2 * l + 1).offset();
        }
    }

    /** "mnist-fc" or comma-separated widths such as "784,300,100,10". */
    public static Mlp parse(String spec) {
        if (spec.equals("mnist-fc")) return new Mlp(MNIST_FC);
        try {
            return new Mlp(Arrays.stream(spec.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--model must be 'mnist-fc' or widths like 784,300,100,10; got '" + spec + "'");
        }
    }

    public int[] widths() {
        return widths.clone();
    }

    public int inputs() {
        return widths[0];
    }

    public int classes() {
        return widths[widths.length - 1];
    }

    public ParamLayout layout() {
        return layout;
    }

    public int parameterCount() {
        return (int) layout.size();
    }

    /** He-normal weights (std √(2/fan_in)), zero biases. */
    public float[] initHeNormal(Random rng) {
        float[] theta = new float[parameterCount()];
        for (int l = 0; l + 1 < widths.length; l++) {
            double std = Math.sqrt(2.0 / widths[l]);
            int n = widths[l] * widths[l + 1];
            for (int i = 0; i < n; i++) theta[wOff[l] + i] = (float) (rng.nextGaussian() * std);
        }
        return theta;
    }

    public Workspace workspace(int maxRows) {
        return new Workspace(widths, maxRows);
    }

    /** Summed loss and number of correct argmax predictions over some rows. */
    public record Eval(double lossSum, int correct) {
    }

    /**
     * Loss over {@code rows} rows of x (row-major, starting at row {@code row0}) and labels y[row0..];
     * when {@code grad} is non-null, adds (or writes, if !accumulate) {@code scale}·∇ of the summed loss.
     */
    public Eval evaluate(float[] theta, float[] x, int row0, int[] y, int rows, float[] grad, float scale, boolean accumulate, Workspace ws) {
        if (rows > ws.capacity) throw new IllegalArgumentException(rows + " rows exceed the workspace's " + ws.capacity);
        int layers = widths.length - 1;
        float[][] act = ws.act;
        for (int l = 0; l < layers; l++) {
            int in = widths[l], out = widths[l + 1];
            float[] src = l == 0 ? x : act[l];
            int srcOff = l == 0 ? row0 * in : 0;
            float[] dst = act[l + 1];
            for (int r = 0; r < rows; r++) System.arraycopy(theta, bOff[l], dst, r * out, out);
            Gemm.sgemm(false, true, rows, out, in, 1f, src, srcOff, in, theta, wOff[l], in, 1f, dst, 0, out);
            if (l + 1 < layers) relu(dst, rows * out);
        }
        double lossSum = 0;
        int correct = 0;
        int k = classes();
        float[] logits = act[layers];
        float[] dz = ws.delta[layers - 1];
        for (int r = 0; r < rows; r++) {
            int base = r * k;
            int label = y[row0 + r];
            float max = logits[base];
            int arg = 0;
            for (int j = 1; j < k; j++) if (logits[base + j] > max) { max = logits[base + j]; arg = j; }
            double z = 0;
            for (int j = 0; j < k; j++) z += Math.exp(logits[base + j] - max);
            lossSum += Math.log(z) + max - logits[base + label];
            if (arg == label) correct++;
            if (grad != null) {
                for (int j = 0; j < k; j++) {
                    double p = Math.exp(logits[base + j] - max) / z;
                    dz[base + j] = (float) ((p - (j == label ? 1 : 0)) * scale);
                }
            }
        }
        if (grad != null) backward(theta, x, row0, rows, grad, accumulate, ws);
        return new Eval(lossSum, correct);
    }

    private void backward(float[] theta, float[] x, int row0, int rows, float[] grad, boolean accumulate, Workspace ws) {
        int layers = widths.length - 1;
        float beta = accumulate ? 1f : 0f;
        for (int l = layers - 1; l >= 0; l--) {
            int in = widths[l], out = widths[l + 1];
            float[] dz = ws.delta[l];
            float[] src = l == 0 ? x : ws.act[l];
            int srcOff = l == 0 ? row0 * in : 0;
            Gemm.sgemm(true, false, out, in, rows, 1f, dz, 0, out, src, srcOff, in, beta, grad, wOff[l], in);
            if (!accumulate) Arrays.fill(grad, bOff[l], bOff[l] + out, 0f);
            for (int r = 0; r < rows; r++) {
                int base = r * out;
                for (int j = 0; j < out; j++) grad[bOff[l] + j] += dz[base + j];
            }
            if (l > 0) {
                float[] dPrev = ws.delta[l - 1];
                Gemm.sgemm(false, false, rows, in, out, 1f, dz, 0, out, theta, wOff[l], in, 0f, dPrev, 0, in);
                float[] a = ws.act[l];
                for (int i = 0; i < rows * in; i++) if (a[i] <= 0f) dPrev[i] = 0f;
            }
        }
    }

    private static void relu(float[] v, int n) {
        for (int i = 0; i < n; i++) if (v[i] < 0f) v[i] = 0f;
    }

    /** Reusable activation and error buffers for up to {@code capacity} rows. */
    public static final class Workspace {
        final int capacity;
        final float[][] act;
        final float[][] delta;

        Workspace(int[] widths, int capacity) {
            this.capacity = capacity;
            int layers = widths.length - 1;
            act = new float[layers + 1][];
            delta = new float[layers][];
            for (int l = 1; l <= layers; l++) {
                act[l] = new float[capacity * widths[l]];
                delta[l - 1] = new float[capacity * widths[l]];
            }
        }

        public int capacity() {
            return capacity;
        }
    }
}
