package io.kvorum.jepsen.net;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which directed links are cut: from -> the nodes it cannot reach (Jepsen's word for it). A
 * network applying a grudge cuts exactly these links and opens all the others.
 */
public record Grudge(String name, Map<Long, Set<Long>> cut) {

    public static Grudge none() {
        return new Grudge("none", Map.of());
    }

    public boolean isCut(long from, long to) {
        return cut.getOrDefault(from, Set.of()).contains(to);
    }

    static Builder named(String name) {
        return new Builder(name);
    }

    static final class Builder {
        private final String name;
        private final Map<Long, Set<Long>> cut = new TreeMap<>();

        Builder(String name) {
            this.name = name;
        }

        Builder oneWay(long from, long to) {
            cut.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
            return this;
        }

        Builder both(long a, long b) {
            return oneWay(a, b).oneWay(b, a);
        }

        Grudge build() {
            Map<Long, Set<Long>> out = new TreeMap<>();
            cut.forEach((k, v) -> out.put(k, Collections.unmodifiableSet(v)));
            return new Grudge(name, Collections.unmodifiableMap(out));
        }
    }

    @Override
    public String toString() {
        return name + " " + cut;
    }
}
