package io.kvorum.server.raft.sim;

/** One seed failed: carries everything needed to understand and replay it. */
final class SimulationFailure extends RuntimeException {
    private final long seed;

    SimulationFailure(long seed, long step, Throwable cause, String params, String trace) {
        super("seed " + seed + " failed at step " + step + ": " + describe(cause) + "\n  params: " + params
                + "\n  replay: mvn -q -B -o -pl kv-server -am test -Dtest=RaftSimulationTest"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dsim.seed=" + seed
                + "\n  last events:\n" + trace, cause);
        this.seed = seed;
    }

    /** The first line: seed, step and the property that broke. */
    String headline() {
        String m = getMessage();
        int nl = m.indexOf('\n');
        int nl2 = nl < 0 ? -1 : m.indexOf('\n', nl + 1);
        return nl2 < 0 ? m : m.substring(0, nl2);
    }

    long seed() {
        return seed;
    }

    private static String describe(Throwable cause) {
        if (cause instanceof InvariantViolation) {
            return cause.getMessage();
        }
        // Anything else is an exception escaping the core (or the harness): show where.
        StackTraceElement[] at = cause.getStackTrace();
        return cause + (at.length > 0 ? " at " + at[0] : "");
    }
}
