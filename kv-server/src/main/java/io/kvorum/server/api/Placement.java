package io.kvorum.server.api;

import io.kvorum.proto.internal.v1.Locality;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where this node runs and where the cluster should keep its leader, from {@code --datacenter},
 * {@code --zone} and {@code --leader-preference}. The locality is announced to the cluster with
 * the client address; the preference is acted on only while this node leads.
 *
 * @param datacenter       this node's datacenter; empty when not set
 * @param zone             this node's zone within it; empty when not set
 * @param leaderPreference datacenters to keep the leader in, most preferred first; empty: anywhere
 * @param leaderSettle     how long a leader outside them leads before handing off, and the
 *                         pause between tries (hysteresis: see {@code LeaderPlacement})
 */
public record Placement(String datacenter, String zone, List<String> leaderPreference, Duration leaderSettle) {
    /** The default settle time (declared before NONE, which uses it). */
    public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(3);
    /** No labels and no preference: the cluster behaves as before datacenters existed. */
    public static final Placement NONE = new Placement("", "", List.of());

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    /** With the default settle time. */
    public Placement(String datacenter, String zone, List<String> leaderPreference) {
        this(datacenter, zone, leaderPreference, DEFAULT_SETTLE);
    }

    public Placement {
        if (leaderSettle == null || leaderSettle.isNegative() || leaderSettle.isZero()) {
            throw new IllegalArgumentException("the leader placement settle time must be positive, got " + leaderSettle);
        }
        datacenter = checked(datacenter, "--datacenter");
        zone = checked(zone, "--zone");
        leaderPreference = List.copyOf(leaderPreference);
        for (String dc : leaderPreference) {
            if (dc.isEmpty() || !LABEL.matcher(dc).matches()) {
                throw new IllegalArgumentException("--leader-preference names '" + dc + "', which is not a datacenter "
                        + "name (letters, digits, '.', '_', '-'; at most 63)");
            }
        }
    }

    /** Parses {@code dc1,dc2} (blank: no preference). */
    public static List<String> parsePreference(String spec) {
        if (spec == null || spec.isBlank()) {
            return List.of();
        }
        return List.of(spec.trim().split("\\s*,\\s*", -1));
    }

    /** The labels as the replicated state keeps them. */
    public Locality locality() {
        return Locality.newBuilder().setDatacenter(datacenter).setZone(zone).build();
    }

    private static String checked(String label, String flag) {
        if (label == null || label.isEmpty()) {
            return "";
        }
        if (!LABEL.matcher(label).matches()) {
            throw new IllegalArgumentException(flag + " '" + label + "' is not a label: letters, digits, '.', '_' "
                    + "and '-', starting with a letter or digit, at most 63");
        }
        return label;
    }
}
