package io.kvorum.cli;

/**
 * Bad usage found while a command runs (not by the parser): a bad endpoint, a malformed multi
 * file, arguments that contradict each other. Exits 2 and prints the command's usage.
 */
public final class UsageError extends RuntimeException {
    public UsageError(String message) {
        super(message);
    }

    public UsageError(String message, Throwable cause) {
        super(message, cause);
    }
}
