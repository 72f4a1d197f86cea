package org.lca4j.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one call from Java into liblca4j costs on the host, the part of a GPU training step's
 * overhead that is Java's: the GPU harness makes a dozen such calls per step (gather, bias, SGEMM,
 * ReLU, softmax, …). Measured on {@code lca4j_relu} with n = 0, which returns before touching CUDA,
 * so no GPU is needed and only the downcall is timed: through {@code invokeExact} at a statically
 * typed call site, the same inside a status-checking lambda (the shape of {@code cuda.DeviceKernels}'
 * calls), and through the generic {@code invokeWithArguments}.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar FfmCallBenchmark}; needs the jar built with nvcc.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@State(Scope.Benchmark)
public class FfmCallBenchmark {
    private MethodHandle relu;

    @FunctionalInterface
    interface Call {
        int run() throws Throwable;
    }

    private static void call(Call c) {
        int status;
        try {
            status = c.run();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (status != 0) throw new IllegalStateException("lca4j_relu returned " + status);
    }

    @Setup
    public void bind() throws Exception {
        String resource = "/native/linux-x86_64/liblca4j.so";
        Path lib = Files.createTempFile("liblca4j-bench-", ".so");
        lib.toFile().deleteOnExit();
        try (InputStream in = FfmCallBenchmark.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("no " + resource + " in this build (built without nvcc)");
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
        }
        SymbolLookup lookup = SymbolLookup.libraryLookup(lib, Arena.global());
        relu = Linker.nativeLinker().downcallHandle(lookup.find("lca4j_relu").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
    }

    @Benchmark
    public int invokeExact() throws Throwable {
        return (int) relu.invokeExact(MemorySegment.NULL, 0L, MemorySegment.NULL);
    }

    @Benchmark
    public void invokeExactInCheckedLambda() {
        call(() -> (int) relu.invokeExact(MemorySegment.NULL, 0L, MemorySegment.NULL));
    }

    @Benchmark
    public int invokeWithArguments() throws Throwable {
        return (int) relu.invokeWithArguments(MemorySegment.NULL, 0L, MemorySegment.NULL);
    }
}
