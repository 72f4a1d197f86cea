package org.lca4j;

import java.util.function.Function;
import org.lca4j.core.LcaAccumulator;
import org.lca4j.core.ParamLayout;
import org.lca4j.cpu.CpuLcaAccumulator;
import org.lca4j.cuda.CudaDevice;
import org.lca4j.cuda.CudaLcaAccumulator;

/**
 * Entry point for users who call lca4j from their own training loop.
 *
 * <pre>{@code
 * ParamLayout layout = ParamLayout.builder().add("fc1.weight", 100, 784).add("fc1.bias", 100).build();
 * try (LcaAccumulator lca = Lca.backend("auto").create(layout)) {
 *     StepLca s = lca.step(gradient, thetaBefore, thetaAfter);   // per-layer LCA and helped counts
 * }
 * }</pre>
 */
public final class Lca {
    private Lca() {
    }

    /** The pure-Java backend; works everywhere. */
    public static LcaAccumulator cpu(ParamLayout layout) {
        return new CpuLcaAccumulator(layout);
    }

    /** The CUDA backend; throws {@link IllegalStateException} with the reason when no device or library is usable. */
    public static CudaLcaAccumulator cuda(ParamLayout layout) {
        CudaDevice.Availability a = CudaDevice.probe();
        if (!a.available()) {
            throw new IllegalStateException("CUDA backend unavailable: " + a.reason() + "; use Lca.cpu(layout), or Lca.backend(\"auto\") to fall back to the CPU");
        }
        return new CudaLcaAccumulator(layout);
    }

    /**
     * A backend chosen by name, for configuration and the CLI's {@code --device}.
     *
     * @param name        "cpu" or "cuda"
     * @param description one line for logs: the device, or why auto fell back to the CPU
     */
    public record Backend(String name, String description, Function<ParamLayout, LcaAccumulator> factory) {
        public LcaAccumulator create(ParamLayout layout) {
            return factory.apply(layout);
        }
    }

    /**
     * "cpu"; "cuda" (fails with the reason if unusable); or "auto": CUDA when a device and the native
     * library load, else the CPU, with the reason in the description. Refusals name the option as
     * the command line and the library both know it ({@link OptionNames#COMMAND_LINE}).
     */
    public static Backend backend(String device) {
        return backend(device, OptionNames.COMMAND_LINE);
    }

    /** As {@link #backend(String)}, a refusal naming the option as {@code names} says the caller's user set it. */
    public static Backend backend(String device, OptionNames names) {
        if (device == null) throw new IllegalArgumentException(names.name("device") + " is null; give auto, cpu or cuda");
        switch (device) {
            case "cpu":
                return new Backend("cpu", "cpu (pure Java)", Lca::cpu);
            case "cuda": {
                CudaDevice.Availability a = CudaDevice.probe();
                if (!a.available()) {
                    throw new IllegalArgumentException("device cuda is not usable: " + a.reason() + "; use " + names.setting("device", "cpu") + ", or "
                            + names.setting("device", "auto") + " to fall back to the CPU");
                }
                return new Backend("cuda", "cuda (" + a.description() + ")", Lca::cuda);
            }
            case "auto": {
                CudaDevice.Availability a = CudaDevice.probe();
                return a.available() ? new Backend("cuda", "cuda (" + a.description() + ")", Lca::cuda)
                        : new Backend("cpu", "cpu (no CUDA: " + a.reason() + ")", Lca::cpu);
            }
            default:
                throw new IllegalArgumentException(names.name("device") + " must be auto, cpu or cuda, got '" + device + "'");
        }
    }
}
