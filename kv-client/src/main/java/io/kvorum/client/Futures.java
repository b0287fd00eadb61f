package io.kvorum.client;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers for futures' failures. */
final class Futures {
    private Futures() {
    }

    /** The failure inside CompletionException / ExecutionException wrappers; null stays null. */
    static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** Rethrows inside a future's stage: unchecked as is, anything else wrapped. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new CompletionException(t);
    }
}
