package org.lca4j.cuda;

/**
 * Whether the CUDA backend can run here, probed once: the native library loads, its ABI matches and
 * a device answers. When it cannot, {@link Availability#reason()} says why in one line (no library in
 * this build, no driver, no device), which {@code --device auto} prints before falling back to the CPU.
 */
public final class CudaDevice {
    /** The probe's answer; {@code description} names the device when available. */
    public record Availability(boolean available, String description, String reason) {
    }

    /** cudaErrorInsufficientDriver: lca4j_device_count reports it only when a driver is there but too old. */
    static final int INSUFFICIENT_DRIVER = 35;
    private static Availability availability;
    private static Lca4jNative nativeApi;
    private static DeviceKernels kernels;

    private CudaDevice() {
    }

    public static synchronized Availability probe() {
        if (availability == null) availability = doProbe();
        return availability;
    }

    /** The bindings, once {@link #probe()} found a device; device 0 is current. */
    static synchronized Lca4jNative api() {
        Availability a = probe();
        if (!a.available()) throw new IllegalStateException("CUDA backend unavailable: " + a.reason());
        return nativeApi;
    }

    /** The kernel launchers, bound once. */
    static synchronized DeviceKernels kernels() {
        if (kernels == null) kernels = new DeviceKernels(api());
        return kernels;
    }

    private static Availability doProbe() {
        return probe(NativeLibrary.get());
    }

    /** The probe of {@code lib}; on success its bindings become this process's. */
    static Availability probe(NativeLibrary.Loaded lib) {
        if (lib.lookup() == null) return new Availability(false, null, lib.reason());
        try {
            Lca4jNative n = new Lca4jNative(lib.lookup());
            int count = n.deviceCount();
            if (count == 0) return new Availability(false, null, "no CUDA device (or no NVIDIA driver) on this machine");
            n.setDevice(0);
            Lca4jNative.DeviceInfo info = n.deviceInfo(0);
            nativeApi = n;
            return new Availability(true, info.name() + ", " + info.multiprocessors() + " SMs, compute " + info.major() + "." + info.minor(), null);
        } catch (CudaException e) {
            if (e.status() == INSUFFICIENT_DRIVER) {
                return new Availability(false, null, "the NVIDIA driver is older than the CUDA runtime in " + lib.source() + " (" + e.getMessage()
                        + "): update the driver, or build liblca4j with the CUDA the driver supports (native-build/build.sh)");
            }
            return new Availability(false, null, "CUDA library " + lib.source() + " unusable: " + e.getMessage());
        } catch (RuntimeException e) {
            return new Availability(false, null, "CUDA library " + lib.source() + " unusable: " + e.getMessage());
        }
    }
}
