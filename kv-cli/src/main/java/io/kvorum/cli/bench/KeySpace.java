package io.kvorum.cli.bench;

/** The benchmark's keys: {@code count} nodes named {@code PREFIX/k0000000} and up. */
record KeySpace(String prefix, int count) {
    private static final int DIGITS = 7;

    /**
     * The i-th key's path. Built by hand: {@code String.format} here took about a tenth of the
     * load generator's CPU at 64 reads in flight, CPU the servers on the same machine then lack.
     */
    String path(int i) {
        String n = Integer.toString(i);
        StringBuilder b = new StringBuilder(prefix).append("/k");
        for (int pad = n.length(); pad < DIGITS; pad++) {
            b.append('0');
        }
        return b.append(n).toString();
    }
}
