package io.kvorum.server.raft.sim;

/**
 * The last events of one run, kept in a ring so a failure can show how the cluster got there.
 * Recording stores references only (the detail is formatted when a failure prints it), which
 * keeps tracing cheap enough to leave on for every seed.
 */
final class EventTrace {
    private final long[] steps;
    private final long[] nodes;
    private final String[] kinds;
    private final Object[] details;
    private long count;

    EventTrace(int capacity) {
        steps = new long[capacity];
        nodes = new long[capacity];
        kinds = new String[capacity];
        details = new Object[capacity];
    }

    /** {@code kind} should be a constant; {@code detail} an immutable object (or null). */
    void record(long step, long node, String kind, Object detail) {
        int slot = (int) (count++ % steps.length);
        steps[slot] = step;
        nodes[slot] = node;
        kinds[slot] = kind;
        details[slot] = detail;
    }

    /** The last {@code max} events, oldest first, one per line. */
    String lastEvents(int max) {
        StringBuilder out = new StringBuilder();
        long n = Math.min(Math.min(count, steps.length), max);
        for (long i = count - n; i < count; i++) {
            int slot = (int) (i % steps.length);
            out.append(String.format("  step %5d  node %d  %-12s %s%n", steps[slot], nodes[slot], kinds[slot],
                    details[slot] == null ? "" : details[slot]));
        }
        return out.toString();
    }
}
