package io.kvorum.jepsen.checker;

/** A checker's answer. The CLI's exit code is part of the contract: scripts branch on it. */
public enum Verdict {
    VALID(0),
    INVALID(1),
    /** The checker could not decide (a search deadline passed, or nothing to decide on). */
    UNKNOWN(3);

    public final int exitCode;

    Verdict(int exitCode) {
        this.exitCode = exitCode;
    }

    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** INVALID wins over UNKNOWN wins over VALID: one bad key makes the history bad. */
    public Verdict and(Verdict other) {
        if (this == INVALID || other == INVALID) {
            return INVALID;
        }
        return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : VALID;
    }
}
