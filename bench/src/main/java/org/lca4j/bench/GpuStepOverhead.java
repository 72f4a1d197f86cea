package org.lca4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lca4j.cuda.CudaDevice;
import org.lca4j.cuda.GpuTrainingLoop;
import org.lca4j.cuda.GpuTrainingLoop.Lca;
import org.lca4j.data.LabeledSet;
import org.lca4j.data.SyntheticData;
import org.lca4j.nn.Mlp;
import org.lca4j.train.BatchOrder;
import org.lca4j.train.Seeds;

/**
 * The free estimators' cost on a whole GPU training step (issue 5): the device-resident training
 * step ({@link GpuTrainingLoop}: gather, forward and backward with cuBLAS, optimizer) with LCA off,
 * with the fused optimizer + LCA kernel (all free estimators, and without the trapezoids, each with θ_t kept
 * or with the previous step's Δθ taken from the optimizer state), and with a
 * plain optimizer step followed by a separate LCA launch, for MNIST-FC (the paper's batch of 250) and an MLP of over 100M parameters. Each figure is
 * the median over rounds (modes interleaved) of the median window time, a window being the steps
 * between two reads of the results, which synchronize with the GPU; the first windows are warm-up.
 *
 * <p>Usage: {@code GpuStepOverhead out.json out.md [--quick] [--max-params N] [--rounds N]}; needs a CUDA
 * device and cuBLAS. {@code --max-params} leaves out the larger models (a rehearsal on the CPU emulation);
 * {@code --rounds} sets how many interleaved rounds the medians take (default 3, 1 with --quick).
 */
public final class GpuStepOverhead {
    private static final int WINDOW = 50, WARM_WINDOWS = 2;

    record Case(String name, String widths, int batch, int rows) {
    }

    private GpuStepOverhead() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: GpuStepOverhead out.json out.md [--quick] [--max-params N] [--rounds N]");
            System.exit(2);
        }
        CudaDevice.Availability device = CudaDevice.probe();
        if (!device.available()) {
            System.err.println("GpuStepOverhead: no CUDA device: " + device.reason());
            System.exit(77);
        }
        boolean quick = Arrays.asList(args).contains("--quick");
        long maxParams = number(args, "--max-params", Long.MAX_VALUE);
        int windows = quick ? 4 : 8, rounds = (int) number(args, "--rounds", quick ? 1 : 3);
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
        List<Lca> columns = List.of(Lca.FUSED, Lca.FUSED_NO_TRAP, Lca.FUSED_FROM_STATE, Lca.FUSED_NO_TRAP_FROM_STATE, Lca.SEPARATE);
        List<Case> cases = List.of(
                new Case("mnist-fc", "784,100,50,10", 250, 55_000),
                new Case("mlp-107M", "784,8192,8192,4096,10", 256, 20_000),
                new Case("mlp-107M", "784,8192,8192,4096,10", 1024, 20_000));
        List<Map<String, Object>> rows = new ArrayList<>();
        StringBuilder md = new StringBuilder("Device: " + device.description() + "\n\n"
                + "| model | parameters | batch | plain step ms | fused, all free estimators | fused, no trapezoids "
                + "| fused, all free, Δθ from state | fused, no trapezoids, Δθ from state | plain + separate LCA launch |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Case c : cases) {
            Mlp mlp = Mlp.parse(c.widths());
            if (mlp.parameterCount() > maxParams) continue;
            LabeledSet train = SyntheticData.teacher(new Random(1), c.rows(), mlp.inputs(), mlp.classes());
            float[] theta0 = mlp.initHeNormal(new Random(2));
            Map<Lca, List<Double>> perRound = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                for (Lca mode : Lca.values()) {
                    double ms = msPerStep(mlp, train, theta0, c.batch(), mode, windows);
                    perRound.computeIfAbsent(mode, k -> new ArrayList<>()).add(ms);
                    System.err.printf("%s batch %d %s round %d: %.4f ms/step%n", c.name(), c.batch(), mode, r, ms);
                }
            }
            Map<Lca, Double> ms = new LinkedHashMap<>();
            perRound.forEach((mode, v) -> ms.put(mode, median(v)));
            double plain = ms.get(Lca.OFF);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", c.name());
            row.put("widths", c.widths());
            row.put("parameters", mlp.parameterCount());
            row.put("batch", c.batch());
            row.put("optimizer", "sgd momentum 0.9");
            row.put("steps_per_window", WINDOW);
            row.put("windows", windows);
            row.put("rounds", rounds);
            row.put("median_ms", ms);
            row.put("per_round_ms", perRound);
            rows.add(row);
            md.append(String.format("| %s | %,d | %d | %.3f |", c.name(), mlp.parameterCount(), c.batch(), plain));
            for (Lca mode : columns) {
                md.append(String.format(" %.3f ms (%+.1f%%) |", ms.get(mode), 100 * (ms.get(mode) / plain - 1)));
            }
            md.append('\n');
            // Written after every model, so a run stopped by a time limit keeps what it measured.
            write(args, device.description(), quick, rows, md);
        }
        System.out.print(md);
    }

    /** The number after {@code flag}, or {@code absent} when the flag is not given. */
    static long number(String[] args, String flag, long absent) {
        int i = Arrays.asList(args).indexOf(flag);
        if (i < 0) return absent;
        if (i + 1 >= args.length) throw new IllegalArgumentException(flag + " needs a number");
        try {
            return Long.parseLong(args[i + 1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": not a number: " + args[i + 1]);
        }
    }

    private static void write(String[] args, String device, boolean quick, List<Map<String, Object>> rows, StringBuilder md) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "gpu-step-overhead");
        doc.put("device", device);
        doc.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        doc.put("quick", quick);
        doc.put("results", rows);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(args[0]).toFile(), doc);
        Files.writeString(Path.of(args[1]), md);
    }

    /** Median time of one step over the measured windows of one run in this mode. */
    private static double msPerStep(Mlp mlp, LabeledSet train, float[] theta0, int batch, Lca mode, int windows) {
        BatchOrder order = new BatchOrder(new Seeds(1), train.n(), batch);
        int steps = (windows + WARM_WINDOWS) * WINDOW;
        long[] stamps = new long[steps];
        GpuTrainingLoop.Options o = new GpuTrainingLoop.Options("sgd", 0.01, 0.9, batch, Double.NaN, mode, WINDOW);
        try (GpuTrainingLoop loop = new GpuTrainingLoop(mlp, train, theta0, o)) {
            // A window's steps are handed over right after its results are read, which waits for the
            // GPU: the stamp of the first step handed over in window k marks window k's end.
            loop.run(order::batch, steps, r -> stamps[(int) r.step()] = System.nanoTime());
        }
        double[] ms = windowMs(stamps, WINDOW, WARM_WINDOWS, windows, mode != Lca.OFF);
        return median(Arrays.stream(ms).boxed().toList());
    }

    /**
     * Milliseconds per step of each measured window, from the time each step was handed over. A
     * window's steps are handed over together once its results are read, so the stamp of the first
     * step handed over in window k marks window k's end. With LCA on ({@code lagged}), step t is
     * handed over one call later (its estimators need g_{t+1}), so that step is kW − 1, else kW.
     * Windows 0..warm are warm-up; the result holds windows warm+1 .. warm+windows−1.
     */
    static double[] windowMs(long[] stamps, int window, int warm, int windows, boolean lagged) {
        int lag = lagged ? 1 : 0;
        double[] ms = new double[windows - 1];
        for (int w = 0; w < windows - 1; w++) {
            int a = (warm + w) * window - lag, b = a + window;
            ms[w] = (stamps[b] - stamps[a]) / 1e6 / window;
        }
        return ms;
    }

    private static double median(List<Double> v) {
        double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
