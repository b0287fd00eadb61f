package io.kvorum.jepsen.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where a cluster's nodes run: voters spread over datacenters {@code dc1, dc2, ...} as a layout
 * such as {@code 2+2+1} says, and observers each in a read-only site of its own after them
 * (with 3 voter datacenters the first observer is in {@code dc4}). Node ids count voters first
 * (dc1's, then dc2's, ...), then observers. Every link between two datacenters carries
 * {@code wanOneWay} of delay each way (a round trip costs twice it); links inside one carry none.
 * The leader is preferred in {@code dc1} when {@code leaderPreference} is set.
 */
public record Topology(Map<Long, String> datacenters, Set<Long> observers, Duration wanOneWay,
                       boolean leaderPreference) {
    public static final String PREFERRED = "dc1";

    public Topology {
        datacenters = Map.copyOf(datacenters);
        observers = Set.copyOf(observers);
    }

    /**
     * Parses a layout of voters per datacenter, e.g. {@code 1+1+1} or {@code 2+2+1}; throws
     * IllegalArgumentException naming the problem.
     */
    public static Topology parse(String layout, int observers, Duration wanOneWay, boolean leaderPreference) {
        String[] parts = layout.trim().split("\\+");
        if (parts.length < 2) {
            throw new IllegalArgumentException("datacenter layout \"" + layout
                    + "\" needs at least two datacenters, as voters per datacenter joined by +, e.g. 2+2+1");
        }
        if (observers < 0 || wanOneWay.isNegative()) {
            throw new IllegalArgumentException("observers and the WAN delay must not be negative");
        }
        Map<Long, String> dcs = new TreeMap<>();
        long id = 1;
        for (int d = 0; d < parts.length; d++) {
            int voters;
            try {
                voters = Integer.parseInt(parts[d].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("datacenter layout \"" + layout + "\": \"" + parts[d]
                        + "\" is not a number of voters");
            }
            if (voters < 1) {
                throw new IllegalArgumentException("datacenter layout \"" + layout + "\": every datacenter needs a voter");
            }
            for (int v = 0; v < voters; v++) {
                dcs.put(id++, "dc" + (d + 1));
            }
        }
        Set<Long> obs = new TreeSet<>();
        for (int o = 0; o < observers; o++) {
            obs.add(id);
            dcs.put(id++, "dc" + (parts.length + 1 + o));
        }
        return new Topology(dcs, obs, wanOneWay, leaderPreference);
    }

    /** Voters and observers. */
    public int size() {
        return datacenters.size();
    }

    public List<Long> voters() {
        List<Long> out = new ArrayList<>();
        for (long id : new TreeSet<>(datacenters.keySet())) {
            if (!observers.contains(id)) {
                out.add(id);
            }
        }
        return out;
    }

    public String datacenterOf(long id) {
        String dc = datacenters.get(id);
        if (dc == null) {
            throw new IllegalArgumentException("no node " + id + " in " + this);
        }
        return dc;
    }

    /** Each datacenter's nodes, in datacenter order (dc1 first). */
    public Map<String, Set<Long>> byDatacenter() {
        Map<String, Set<Long>> out = new TreeMap<>((a, b) -> Integer.compare(number(a), number(b)));
        for (Map.Entry<Long, String> e : new TreeMap<>(datacenters).entrySet()) {
            out.computeIfAbsent(e.getValue(), k -> new TreeSet<>()).add(e.getKey());
        }
        return new LinkedHashMap<>(out);
    }

    private static int number(String dc) {
        return Integer.parseInt(dc.substring(2));
    }

    /** The one-way delay of the link {@code a -> b}: the WAN's between datacenters, none inside one. */
    public Duration delay(long a, long b) {
        return datacenterOf(a).equals(datacenterOf(b)) ? Duration.ZERO : wanOneWay;
    }

    /** The server flags that place node {@code id}. */
    public List<String> serverFlags(long id) {
        List<String> flags = new ArrayList<>(List.of("--datacenter", datacenterOf(id)));
        if (leaderPreference) {
            flags.addAll(List.of("--leader-preference", PREFERRED));
        }
        return flags;
    }

    /** E.g. {@code 2+2+1 +1 observer, 25 ms one way}. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Set<Long>> e : byDatacenter().entrySet()) {
            long voters = e.getValue().stream().filter(id -> !observers.contains(id)).count();
            if (voters > 0) {
                b.append(b.length() == 0 ? "" : "+").append(voters);
            }
        }
        return b + (observers.isEmpty() ? "" : " +" + observers.size() + " observer" + (observers.size() > 1 ? "s" : ""))
                + ", " + wanOneWay.toMillis() + " ms one way between datacenters"
                + (leaderPreference ? ", leader preferred in " + PREFERRED : "");
    }
}
