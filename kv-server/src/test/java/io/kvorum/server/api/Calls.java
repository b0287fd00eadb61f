package io.kvorum.server.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import java.util.function.Supplier;

/** Test helpers around blocking calls: retry while the cluster has no leader; expect an error. */
final class Calls {
    private Calls() {
    }

    /** Runs {@code call}, retrying UNAVAILABLE and DEADLINE_EXCEEDED for up to 30 s. */
    static <T> T retry(Supplier<T> call) {
        long until = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                return call.get();
            } catch (StatusRuntimeException e) {
                Code c = e.getStatus().getCode();
                if ((c != Code.UNAVAILABLE && c != Code.DEADLINE_EXCEEDED) || System.nanoTime() > until) {
                    throw e;
                }
                sleep(50);
            }
        }
    }

    /** Expects {@code call} to fail with {@code code} and ErrorInfo reason {@code reason}. */
    static StatusRuntimeException expect(Code code, String reason, Runnable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        assertEquals(reason, ErrorDetails.reason(e), e.getStatus().toString());
        return e;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
