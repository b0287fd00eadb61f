package io.kvorum.client.recipes;

import java.util.Locale;

/**
 * The health of a catalog check, and of an instance: the worst of its checks' (Consul's
 * statuses). Only {@link #PASSING} instances are discovered and picked.
 */
public enum HealthStatus {
    /** Healthy. */
    PASSING,
    /** Serving, but degraded: listed, not picked. */
    WARNING,
    /** Failing: listed, not picked; removed after a check's deregister-after. */
    CRITICAL;

    /** The name as stored and as the HTTP API writes it: {@code passing}, {@code warning}, {@code critical}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name.
     *
     * @throws IllegalArgumentException when it is none of the three
     */
    public static HealthStatus ofWireName(String s) {
        for (HealthStatus h : values()) {
            if (h.wireName().equals(s)) {
                return h;
            }
        }
        throw new IllegalArgumentException("health status must be passing, warning or critical, not '" + s + "'");
    }

    /** The worse of the two. */
    public HealthStatus worse(HealthStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
