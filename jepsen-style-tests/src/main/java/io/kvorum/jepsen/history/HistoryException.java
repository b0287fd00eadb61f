package io.kvorum.jepsen.history;

/** A history that is not well formed: which line, and what is wrong with it. */
public final class HistoryException extends RuntimeException {
    public final int line;
    public final String problem;

    public HistoryException(int line, String problem) {
        super("line " + line + ": " + problem);
        this.line = line;
        this.problem = problem;
    }
}
