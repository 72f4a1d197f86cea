package org.lca4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jcuda.Pointer;
import org.junit.jupiter.api.Test;

/** The address arithmetic and refusals, without a device: JCuda's Java classes load without natives. */
class JCudaPointersTest {
    /** Stands in for memory JCuda allocated: Pointer's protected constructor takes a raw address. */
    private static final class Allocated extends Pointer {
        Allocated(long address) {
            super(address);
        }
    }

    @Test
    void readsTheAddressWithItsByteOffset() {
        Pointer p = new Allocated(0x7f00_0000_1000L);
        assertEquals(0x7f00_0000_1000L, JCudaPointers.address(p));
        assertEquals(0x7f00_0000_1000L + 4 * 1000, JCudaPointers.address(p.withByteOffset(4 * 1000)));
        assertEquals(0x7f00_0000_1000L + 24, JCudaPointers.address(p.withByteOffset(16).withByteOffset(8)));
    }

    @Test
    void refusesHostArraysAndEmptyPointers() {
        var host = assertThrows(IllegalArgumentException.class, () -> JCudaPointers.address(Pointer.to(new float[4])));
        assertTrue(host.getMessage().contains("Java array"), host.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JCudaPointers.address(new Pointer()));
        assertThrows(IllegalArgumentException.class, () -> JCudaPointers.address(null));
    }
}
