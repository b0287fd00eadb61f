package io.kvorum.jepsen.net;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/** The partitions Jepsen uses, as {@link Grudge}s over a set of node ids. Pure functions. */
public final class Partitions {
    private Partitions() {
    }

    /** Cuts every link between different components, both ways. */
    public static Grudge components(String name, Collection<? extends Set<Long>> components) {
        Grudge.Builder b = Grudge.named(name);
        List<Set<Long>> cs = new ArrayList<>(components);
        for (int i = 0; i < cs.size(); i++) {
            for (int j = 0; j < cs.size(); j++) {
                if (i != j) {
                    for (long a : cs.get(i)) {
                        for (long z : cs.get(j)) {
                            b.oneWay(a, z);
                        }
                    }
                }
            }
        }
        return b.build();
    }

    /** A random minority against the majority. */
    public static Grudge randomHalves(Collection<Long> nodes, Random random) {
        List<Long> shuffled = new ArrayList<>(new TreeSet<>(nodes));
        java.util.Collections.shuffle(shuffled, random);
        int minority = shuffled.size() / 2;
        Set<Long> small = new TreeSet<>(shuffled.subList(0, minority));
        Set<Long> large = new TreeSet<>(shuffled.subList(minority, shuffled.size()));
        return components("halves " + small + " | " + large, List.of(small, large));
    }

    /** One node (e.g. the leader) alone, both ways. */
    public static Grudge isolate(long node, Collection<Long> nodes) {
        Set<Long> rest = new TreeSet<>(nodes);
        rest.remove(node);
        return components("isolate " + node, List.of(Set.of(node), rest));
    }

    /**
     * Each node reaches only its neighbours on a ring (within k = ceil((majority-1)/2) places),
     * so every node sees a majority but no two see the same one: nobody can tell the cluster is
     * split. With 3 nodes everyone neighbours everyone and nothing is cut.
     */
    public static Grudge majorityRing(Collection<Long> nodes, Random random) {
        List<Long> ring = new ArrayList<>(new TreeSet<>(nodes));
        java.util.Collections.shuffle(ring, random);
        int n = ring.size();
        int k = (n / 2) / 2 + (n / 2) % 2; // ceil((majority - 1) / 2), majority = n/2 + 1
        Grudge.Builder b = Grudge.named("majority ring " + ring);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int distance = Math.min(Math.abs(i - j), n - Math.abs(i - j));
                if (distance > k) {
                    b.oneWay(ring.get(i), ring.get(j));
                }
            }
        }
        return b.build();
    }

    /** Two halves that cannot talk, and one node in the middle that talks to both. */
    public static Grudge bridge(Collection<Long> nodes, Random random) {
        List<Long> shuffled = new ArrayList<>(new TreeSet<>(nodes));
        java.util.Collections.shuffle(shuffled, random);
        long middle = shuffled.get(0);
        List<Long> rest = shuffled.subList(1, shuffled.size());
        Set<Long> left = new TreeSet<>(rest.subList(0, rest.size() / 2));
        Set<Long> right = new TreeSet<>(rest.subList(rest.size() / 2, rest.size()));
        return components("bridge " + left + " <" + middle + "> " + right, List.of(left, right));
    }

    /** Only {@code from -> to} is cut: {@code to} still reaches {@code from}. */
    public static Grudge oneWay(long from, long to) {
        return Grudge.named("one-way " + from + " -x-> " + to).oneWay(from, to).build();
    }

    /** Every node in {@code group} can no longer send to the others, but still hears them. */
    public static Grudge mute(Set<Long> group, Collection<Long> nodes) {
        Grudge.Builder b = Grudge.named("mute " + group);
        Set<Long> others = new HashSet<>(nodes);
        others.removeAll(group);
        for (long a : group) {
            for (long z : others) {
                b.oneWay(a, z);
            }
        }
        return b.build();
    }

    /** Datacenter {@code dc}'s nodes cut off from every other datacenter, both ways. */
    public static Grudge datacenter(String dc, java.util.Map<String, Set<Long>> byDatacenter) {
        Set<Long> inside = byDatacenter.get(dc);
        if (inside == null) {
            throw new IllegalArgumentException("no datacenter " + dc + " in " + byDatacenter);
        }
        Set<Long> outside = new TreeSet<>();
        byDatacenter.forEach((name, ids) -> {
            if (!name.equals(dc)) {
                outside.addAll(ids);
            }
        });
        return components("datacenter " + dc + " " + inside + " cut off", List.of(inside, outside));
    }

    /** Every datacenter alone: no link between two datacenters works. */
    public static Grudge datacentersApart(java.util.Map<String, Set<Long>> byDatacenter) {
        return components("datacenters apart " + byDatacenter.values(), byDatacenter.values());
    }
}
