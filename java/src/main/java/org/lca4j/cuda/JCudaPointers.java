package org.lca4j.cuda;

import jcuda.Pointer;

/**
 * Device addresses out of JCuda's {@link Pointer} (and {@code CUdeviceptr}, a Pointer), for training
 * loops that already hold their gradients and weights in JCuda memory: pass
 * {@code JCudaPointers.address(p)} to {@link CudaLcaAccumulator#stepDevice}. JCuda keeps the address
 * behind protected accessors; a subclass built with Pointer's protected copy constructor reads them.
 * Optional: JCuda must be on the user's class path (lca4j does not ship it).
 */
public final class JCudaPointers {
    private JCudaPointers() {
    }

    /** The device address p points at, its byte offset included. */
    public static long address(Pointer p) {
        if (p == null) throw new IllegalArgumentException("JCuda pointer is null");
        Exposed e = new Exposed(p);
        if (e.base() == 0) {
            throw new IllegalArgumentException("JCuda pointer " + p + " holds no device address: it points at a Java array or buffer"
                    + " (pass those to CudaLcaAccumulator.step instead), or was never allocated");
        }
        return e.base() + e.offset();
    }

    private static final class Exposed extends Pointer {
        Exposed(Pointer p) {
            super(p);
        }

        long base() {
            return getNativePointer();
        }

        long offset() {
            return getByteOffset();
        }
    }
}
