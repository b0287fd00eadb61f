package io.kvorum.jepsen.checker;

/**
 * The register as the search sees it: values interned to small ints (0 = absent), operations
 * as parallel arrays, so one step is a couple of int comparisons and no allocation.
 */
final class RegisterModel {
    static final int READ = 0;
    static final int WRITE = 1;
    static final int CAS = 2;
    /** Returned by {@link #step} when the operation cannot happen in this state. */
    static final int IMPOSSIBLE = -1;

    private final int[] kind;
    private final int[] arg;
    private final int[] expected;

    RegisterModel(int[] kind, int[] arg, int[] expected) {
        this.kind = kind;
        this.arg = arg;
        this.expected = expected;
    }

    /** The state after op applies to {@code state}, or {@link #IMPOSSIBLE}. */
    int step(int state, int op) {
        return switch (kind[op]) {
            case READ -> state == arg[op] ? state : IMPOSSIBLE;
            case WRITE -> arg[op];
            default -> state == expected[op] ? arg[op] : IMPOSSIBLE;
        };
    }
}
