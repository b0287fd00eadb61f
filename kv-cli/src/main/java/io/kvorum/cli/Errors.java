package io.kvorum.cli;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** How failures read on the terminal: one sentence each. */
public final class Errors {
    private Errors() {
    }

    /** The failure inside the wrappers futures add. */
    public static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** The failure as one sentence: its message, or its kind when it has none. */
    public static String sentence(Throwable e) {
        e = unwrap(e);
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        m = m.strip();
        return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }
}
