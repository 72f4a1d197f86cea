package org.lca4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.lca4j.cuda.DeviceAllocations.ptr;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import org.lca4j.core.Layer;
import org.lca4j.core.NonFiniteInputException;
import org.lca4j.core.ParamLayout;
import org.lca4j.nn.Adam;
import org.lca4j.nn.Sgd;

/**
 * The fused optimizer step of cuda/src/optim_lca.cu from Java: SGD, momentum or Adam on device θ
 * (nn/Sgd and nn/Adam's float operations, so the same bits), computing in the same pass
 * next_batch_end, free_trap and (with the training gradient's first half) debiased_trap of the
 * previous step and same_batch of this one (docs/LCA.md). It owns the optimizer state and θ_t, g_t
 * and the debiased correction for the next call.
 */
public final class FusedOptimizer implements AutoCloseable {
    public static final int NEXT_BATCH_END = 0, FREE_TRAP = 1, SAME_BATCH = 2, DEBIASED_TRAP = 3, SLOTS = 4;
    static final int MAX_LAYERS = 320;
    private static final int SGD = 0, SGD_MOMENTUM = 1, ADAM = 2;
    static final StructLayout OPTIMIZER = MemoryLayout.structLayout(JAVA_INT.withName("kind"), JAVA_INT.withName("first_step"),
            JAVA_FLOAT.withName("lr"), JAVA_FLOAT.withName("momentum"), JAVA_FLOAT.withName("beta1"), JAVA_FLOAT.withName("beta2"),
            JAVA_FLOAT.withName("one_minus_beta1"), JAVA_FLOAT.withName("one_minus_beta2"), JAVA_FLOAT.withName("eps"),
            JAVA_FLOAT.withName("step_size"), JAVA_FLOAT.withName("bc2_sqrt"), JAVA_FLOAT.withName("prev_lr"),
            JAVA_FLOAT.withName("prev_step_size"), JAVA_FLOAT.withName("prev_bc2_sqrt"));
    static final StructLayout DEBIAS = MemoryLayout.structLayout(ADDRESS.withName("d_grad_half"), ADDRESS.withName("d_corr"),
            JAVA_FLOAT.withName("keep"), MemoryLayout.paddingLayout(4));

    /**
     * Where the previous step's Δθ comes from for next_batch_end and the trapezoids: θ_t kept on the
     * device (the step exactly as θ moved), or recomputed from the optimizer state the step reads
     * anyway (the update as the optimizer computed it, before θ's float rounding; docs/LCA.md). The
     * latter moves 8 bytes less per parameter and step; plain SGD has no state and recomputes it from
     * g_t, so it needs the trapezoids on.
     */
    public enum PreviousStep { KEPT_THETA, FROM_STATE }

    /**
     * Refuses what nn/Sgd and nn/Adam refuse (a learning rate that is not positive, momentum outside
     * [0,1)) and what would make Adam's step infinite or NaN (β outside [0,1), ε not positive):
     * the device would otherwise run on and fill θ with NaN.
     */
    static void checkHyperparameters(String optimizer, double lr, double momentum, double beta1, double beta2, double eps) {
        if (!"sgd".equals(optimizer) && !"adam".equals(optimizer)) {
            throw new IllegalArgumentException("fused optimizer must be sgd or adam, got " + (optimizer == null ? "null" : "'" + optimizer + "'"));
        }
        if ("sgd".equals(optimizer)) {
            Sgd.checkHyperparameters(lr, momentum);
        } else {
            Adam.checkLearningRate(lr);
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("Adam's β1 and β2 must be in [0,1), got " + beta1 + " and " + beta2);
            }
            if (!(eps > 0)) throw new IllegalArgumentException("Adam's ε must be positive, got " + eps);
        }
    }

    /** Refuses {@link PreviousStep#FROM_STATE} where there is nothing to recompute the step from. */
    static void checkPrevious(String optimizer, double momentum, boolean trapezoids, PreviousStep previous) {
        if (previous == PreviousStep.FROM_STATE && "sgd".equals(optimizer) && momentum == 0 && !trapezoids) {
            throw new IllegalArgumentException("plain SGD has no optimizer state to take the previous step from: keep θ_t, or keep g_t (trapezoids on)");
        }
    }

    /** Per-slot, per-layer sums and counts of one step; a slot not computed this step holds zeros. */
    public record Step(double[][] lca, long[][] helped, long[][] hurt) {
    }

    private final int kind;
    private final float lr, beta1, beta2;
    private final int layers;
    private final long dim;
    private final Lca4jNative api;
    private final DeviceKernels kernels;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment sizes, opt, debias;
    private final DeviceAllocations owned;
    private final long thetaPrev, gradPrev, m, v, corr, workspace, workspaceBytes, sum, helped, hurt;
    private final ParamLayout layout;
    private int t;
    private boolean lastWasFused, closed;
    private String failure;

    /**
     * @param optimizer "sgd" (momentum 0 for plain SGD) or "adam"
     * @param keep      1 − B/N for debiased_trap (B rows per batch of N), or NaN to leave it out
     */
    public FusedOptimizer(ParamLayout layout, String optimizer, double lr, double momentum, double beta1, double beta2, double eps, double keep) {
        this(layout, optimizer, lr, momentum, beta1, beta2, eps, keep, true);
    }

    /**
     * @param trapezoids false to leave out free_trap and debiased_trap: g_t is then not kept for the
     *                   next call, which saves 8 bytes of memory traffic per parameter and step
     *                   (next_batch_end and same_batch only; their slots' values do not change)
     */
    public FusedOptimizer(ParamLayout layout, String optimizer, double lr, double momentum, double beta1, double beta2, double eps, double keep,
                          boolean trapezoids) {
        this(layout, optimizer, lr, momentum, beta1, beta2, eps, keep, trapezoids, PreviousStep.KEPT_THETA);
    }

    /** @param previous where the previous step's Δθ comes from ({@link PreviousStep}) */
    public FusedOptimizer(ParamLayout layout, String optimizer, double lr, double momentum, double beta1, double beta2, double eps, double keep,
                          boolean trapezoids, PreviousStep previous) {
        if (layout == null) throw new IllegalArgumentException("fused optimizer: layout is null");
        checkHyperparameters(optimizer, lr, momentum, beta1, beta2, eps);
        if (!trapezoids && !Double.isNaN(keep)) throw new IllegalArgumentException("debiased_trap is a trapezoid: it needs trapezoids on");
        checkPrevious(optimizer, momentum, trapezoids, previous);
        if (layout.layerCount() > MAX_LAYERS) {
            throw new IllegalArgumentException("the fused optimizer takes up to " + MAX_LAYERS + " layers in one launch, this model has " + layout.layerCount());
        }
        if (!Double.isNaN(keep) && !(keep >= 0 && keep <= 1)) {
            throw new IllegalArgumentException("debiased_trap's 1 − B/N must be in [0,1], got " + keep);
        }
        this.kind = switch (optimizer) {
            case "sgd" -> momentum == 0 ? SGD : SGD_MOMENTUM;
            case "adam" -> ADAM;
            default -> throw new IllegalArgumentException("fused optimizer must be sgd or adam, got '" + optimizer + "'");
        };
        this.lr = (float) lr;
        this.beta1 = (float) beta1;
        this.beta2 = (float) beta2;
        this.layers = layout.layerCount();
        this.layout = layout;
        this.api = CudaDevice.api();
        this.kernels = CudaDevice.kernels();
        this.owned = new DeviceAllocations(api);
        sizes = arena.allocate(JAVA_LONG, layers);
        for (int l = 0; l < layers; l++) sizes.setAtIndex(JAVA_LONG, l, layout.layer(l).size());
        opt = arena.allocate(OPTIMIZER);
        // The hyperparameters as the Java optimizers hold them (float); step() fills in the rest.
        set("kind", kind);
        set("lr", this.lr);
        set("momentum", (float) momentum);
        set("beta1", this.beta1);
        set("beta2", this.beta2);
        set("one_minus_beta1", 1 - this.beta1);
        set("one_minus_beta2", 1 - this.beta2);
        set("eps", (float) eps);
        MemorySegment wsBytes = arena.allocate(JAVA_LONG);
        kernels.optimizerWorkspace(sizes, layers, wsBytes);
        this.dim = layout.size();
        long d = dim * Float.BYTES;
        try {
            workspaceBytes = Math.max(1, wsBytes.get(JAVA_LONG, 0));
            workspace = owned.alloc(workspaceBytes);
            thetaPrev = previous == PreviousStep.KEPT_THETA ? owned.alloc(d) : 0;
            gradPrev = trapezoids ? owned.alloc(d) : 0;
            // Adam's moments start at zero, as nn/Adam's (the momentum buffer is set from g on step 1).
            m = kind == SGD ? 0 : kind == ADAM ? owned.zeroed(d) : owned.alloc(d);
            v = kind == ADAM ? owned.zeroed(d) : 0;
            corr = Double.isNaN(keep) ? 0 : owned.alloc(d);
            sum = owned.alloc((long) SLOTS * layers * Double.BYTES);
            helped = owned.alloc((long) SLOTS * layers * Long.BYTES);
            hurt = owned.alloc((long) SLOTS * layers * Long.BYTES);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        if (corr != 0) {
            debias = arena.allocate(DEBIAS);
            debias.set(ADDRESS, DEBIAS.byteOffset(MemoryLayout.PathElement.groupElement("d_corr")), MemorySegment.ofAddress(corr));
            debias.set(JAVA_FLOAT, DEBIAS.byteOffset(MemoryLayout.PathElement.groupElement("keep")), (float) keep);
        } else {
            debias = MemorySegment.NULL;
        }
    }

    /**
     * One step: θ (device, updated in place) from its gradient g_t (device); {@code gradHalf} is the
     * first half-batch sum a of g = a + b, required when debiased_trap is on, else 0. Waits for the
     * sums; a loop that wants no wait per step uses {@link #launch}. A non-finite sum (a NaN or
     * infinite gradient) throws {@link NonFiniteInputException} naming the step and the parameter;
     * θ and the state have taken the value in the same pass, so the optimizer then refuses further steps.
     */
    public Step step(long theta, long grad, long gradHalf) {
        launch(theta, grad, gradHalf, sum, helped, hurt);
        Step s = read(sum, helped, hurt);
        for (int q = 0; q < SLOTS; q++) {
            for (int l = 0; l < layers; l++) {
                if (!Double.isFinite(s.lca()[q][l])) {
                    // The update is fused with the sums: θ and the state moved with the bad value.
                    failure = nonFinite(l, grad) + "; θ and the optimizer state were already updated with it";
                    throw new NonFiniteInputException(failure);
                }
            }
        }
        return s;
    }

    /** Names the first non-finite gradient value in layer l (copied back), or says the gradient there is finite. */
    private String nonFinite(int l, long grad) {
        Layer layer = layout.layer(l);
        float[] g = new float[Math.toIntExact(layer.size())];
        api.copyToHost(MemorySegment.ofArray(g), grad + layer.offset() * Float.BYTES);
        for (int i = 0; i < g.length; i++) {
            if (!Float.isFinite(g[i])) return "non-finite input at step " + (t - 1) + " of the fused optimizer, " + layer.describe(i) + ": gradient = " + g[i];
        }
        return "LCA of layer " + layer.name() + " is not finite at step " + (t - 1) + " of the fused optimizer, with a finite gradient there (θ or the optimizer state is not finite, or the step overflowed)";
    }

    /**
     * {@link #step} without waiting: queues the fused step and leaves its sums and counts, each
     * [{@value #SLOTS} × layers] slot-major, at the device addresses given (double, int64, int64).
     * After a {@link #plainStep} the previous step's slots are zero: its θ_t was not kept.
     */
    public void launch(long theta, long grad, long gradHalf, long sumOut, long helpedOut, long hurtOut) {
        requireOpen();
        requireAddress("θ", theta);
        requireAddress("gradient", grad);
        requireAddress("sums", sumOut);
        requireAddress("helped counts", helpedOut);
        requireAddress("hurt counts", hurtOut);
        if ((corr != 0) != (gradHalf != 0)) {
            throw new IllegalArgumentException(corr != 0 ? "debiased_trap is on: give the training gradient's first half-batch sum"
                    : "a half-batch gradient was given, but debiased_trap is off");
        }
        boolean hasPrev = lastWasFused;
        prepare(t + 1);
        if (corr != 0) debias.set(ADDRESS, 0, MemorySegment.ofAddress(gradHalf));
        kernels.optimizerStepLca(opt, sizes, layers, theta, thetaPrev, grad, gradPrev, m, v, debias, hasPrev, workspace, workspaceBytes,
                sumOut, helpedOut, hurtOut);
        t++; // only a queued step counts: a refused call must leave the step count (Adam's bias correction, momentum's first step) as it was
        lastWasFused = true;
    }

    /** The same update with no LCA work (same θ bits): training with LCA off, and the benchmarks' baseline. */
    public void plainStep(long theta, long grad) {
        requireOpen();
        requireAddress("θ", theta);
        requireAddress("gradient", grad);
        prepare(t + 1);
        kernels.optimizerStep(opt, theta, grad, m, v, dim);
        t++;
        lastWasFused = false;
    }

    /** Its state (momentum, Adam's moments, θ_t, g_t) and outputs are device memory that close() freed. */
    private void requireOpen() {
        requireNotClosed();
        if (failure != null) throw new IllegalStateException("fused optimizer stopped after an earlier error: " + failure);
    }

    private void requireNotClosed() {
        if (closed) throw new IllegalStateException("fused optimizer is closed: its state and device buffers were freed");
    }

    private static void requireAddress(String what, long address) {
        if (address == 0) throw new IllegalArgumentException("fused optimizer: " + what + " device address is null");
    }

    /** Reads one step's outputs, written by {@link #launch} at these device addresses. */
    public Step read(long sumAt, long helpedAt, long hurtAt) {
        requireNotClosed(); // after a refused step, earlier launches' outputs can still be read
        double[] s = new double[SLOTS * layers];
        long[] h = new long[SLOTS * layers], u = new long[SLOTS * layers];
        api.copyToHost(MemorySegment.ofArray(s), sumAt);
        api.copyToHost(MemorySegment.ofArray(h), helpedAt);
        api.copyToHost(MemorySegment.ofArray(u), hurtAt);
        return unpack(s, h, u, 0);
    }

    /** Step {@code index} of consecutive steps' outputs already copied to the host. */
    Step unpack(double[] s, long[] h, long[] u, int index) {
        int base = index * SLOTS * layers;
        double[][] lca = new double[SLOTS][layers];
        long[][] hp = new long[SLOTS][layers], hu = new long[SLOTS][layers];
        for (int q = 0; q < SLOTS; q++) {
            System.arraycopy(s, base + q * layers, lca[q], 0, layers);
            System.arraycopy(h, base + q * layers, hp[q], 0, layers);
            System.arraycopy(u, base + q * layers, hu[q], 0, layers);
        }
        return new Step(lca, hp, hu);
    }

    /** Step t's bias corrections, as nn/Adam computes them (in double, then rounded), and step t−1's. */
    private void prepare(int t) {
        set("first_step", t == 1 ? 1 : 0);
        set("prev_lr", lr);
        set("prev_step_size", stepSize(t - 1));
        set("prev_bc2_sqrt", bc2Sqrt(t - 1));
        set("step_size", stepSize(t));
        set("bc2_sqrt", bc2Sqrt(t));
    }

    private float stepSize(int step) {
        return (float) (lr / (1 - Math.pow(beta1, step)));
    }

    private float bc2Sqrt(int step) {
        return (float) Math.sqrt(1 - Math.pow(beta2, step));
    }

    private void set(String field, int value) {
        opt.set(JAVA_INT, OPTIMIZER.byteOffset(MemoryLayout.PathElement.groupElement(field)), value);
    }

    private void set(String field, float value) {
        opt.set(JAVA_FLOAT, OPTIMIZER.byteOffset(MemoryLayout.PathElement.groupElement(field)), value);
    }

    @Override
    public void close() {
        closed = true;
        owned.close();
        if (arena.scope().isAlive()) arena.close();
    }
}
