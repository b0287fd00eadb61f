package io.kvorum.cli.bench;

/** The benchmark's keys: {@code count} nodes named {@code PREFIX/k0000000} and up. */
record KeySpace(String prefix, int count) {
    String path(int i) {
        return String.format("%s/k%07d", prefix, i);
    }
}
