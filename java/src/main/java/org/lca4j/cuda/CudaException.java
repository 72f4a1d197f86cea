package org.lca4j.cuda;

/** A failed lca4j native call: names the function, the CUDA call inside it that failed, and CUDA's message. */
public final class CudaException extends RuntimeException {
    private final int status;

    CudaException(String function, int status, String message, String failedCall) {
        super(function + " failed: " + message + " (status " + status + (failedCall.isEmpty() ? "" : ", in " + failedCall) + ")");
        this.status = status;
    }

    public int status() {
        return status;
    }
}
