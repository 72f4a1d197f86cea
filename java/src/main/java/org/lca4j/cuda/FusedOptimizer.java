package org.lca4j.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.lca4j.cuda.DeviceAllocations.ptr;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import org.lca4j.core.ParamLayout;

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
            JAVA_FLOAT.withName("step_size"), JAVA_FLOAT.withName("bc2_sqrt"));
    static final StructLayout DEBIAS = MemoryLayout.structLayout(ADDRESS.withName("d_grad_half"), ADDRESS.withName("d_corr"),
            JAVA_FLOAT.withName("keep"), MemoryLayout.paddingLayout(4));

    /** Per-slot, per-layer sums and counts of one step; a slot not computed this step holds zeros. */
    public record Step(double[][] lca, long[][] helped, long[][] hurt) {
    }

    private final int kind;
    private final float lr, beta1, beta2;
    private final int layers;
    private final Lca4jNative api;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment sizes, opt, debias;
    private final MethodHandle stepLca;
    private final DeviceAllocations owned;
    private final long thetaPrev, gradPrev, m, v, corr, workspace, workspaceBytes, sum, helped, hurt;
    private int t;

    /**
     * @param optimizer "sgd" (momentum 0 for plain SGD) or "adam"
     * @param keep      1 − B/N for debiased_trap (B rows per batch of N), or NaN to leave it out
     */
    public FusedOptimizer(ParamLayout layout, String optimizer, double lr, double momentum, double beta1, double beta2, double eps, double keep) {
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
        this.api = CudaDevice.api();
        this.owned = new DeviceAllocations(api);
        stepLca = api.bind("lca4j_optimizer_step_lca", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        MethodHandle ws = api.bind("lca4j_optimizer_workspace", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
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
        api.invoke("lca4j_optimizer_workspace", ws, sizes, layers, wsBytes);
        long d = layout.size() * Float.BYTES;
        try {
            workspaceBytes = Math.max(1, wsBytes.get(JAVA_LONG, 0));
            workspace = owned.alloc(workspaceBytes);
            thetaPrev = owned.alloc(d);
            gradPrev = owned.alloc(d);
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
     * first half-batch sum a of g = a + b, required when debiased_trap is on, else 0.
     */
    public Step step(long theta, long grad, long gradHalf) {
        if ((corr != 0) != (gradHalf != 0)) {
            throw new IllegalArgumentException(corr != 0 ? "debiased_trap is on: give the training gradient's first half-batch sum"
                    : "a half-batch gradient was given, but debiased_trap is off");
        }
        t++;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        set("first_step", t == 1 ? 1 : 0);
        set("step_size", (float) (lr / bc1));
        set("bc2_sqrt", (float) Math.sqrt(bc2));
        if (corr != 0) debias.set(ADDRESS, 0, MemorySegment.ofAddress(gradHalf));
        api.invoke("lca4j_optimizer_step_lca", stepLca, opt, sizes, layers, ptr(theta), ptr(thetaPrev), ptr(grad), ptr(gradPrev),
                m == 0 ? MemorySegment.NULL : ptr(m), v == 0 ? MemorySegment.NULL : ptr(v), debias, t > 1 ? 1 : 0, ptr(workspace),
                workspaceBytes, ptr(sum), ptr(helped), ptr(hurt), MemorySegment.NULL);
        double[] s = new double[SLOTS * layers];
        long[] h = new long[SLOTS * layers], u = new long[SLOTS * layers];
        api.copyToHost(MemorySegment.ofArray(s), sum);
        api.copyToHost(MemorySegment.ofArray(h), helped);
        api.copyToHost(MemorySegment.ofArray(u), hurt);
        double[][] lca = new double[SLOTS][layers];
        long[][] hp = new long[SLOTS][layers], hu = new long[SLOTS][layers];
        for (int q = 0; q < SLOTS; q++) {
            System.arraycopy(s, q * layers, lca[q], 0, layers);
            System.arraycopy(h, q * layers, hp[q], 0, layers);
            System.arraycopy(u, q * layers, hu[q], 0, layers);
        }
        return new Step(lca, hp, hu);
    }

    private void set(String field, int value) {
        opt.set(JAVA_INT, OPTIMIZER.byteOffset(MemoryLayout.PathElement.groupElement(field)), value);
    }

    private void set(String field, float value) {
        opt.set(JAVA_FLOAT, OPTIMIZER.byteOffset(MemoryLayout.PathElement.groupElement(field)), value);
    }

    @Override
    public void close() {
        owned.close();
        if (arena.scope().isAlive()) arena.close();
    }
}
