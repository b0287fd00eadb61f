package io.kvorum.client.recipes;

import java.time.Duration;
import java.util.Objects;

/**
 * A health check of a service instance, as the catalog stores it (one of the entry's
 * {@code checks}). HTTP and TCP checks are run by the cluster (its leader), every interval:
 * HTTP passes on a 2xx answer within the timeout, TCP when a connection is accepted. A TTL check
 * is reported by the service ({@link ServiceRegistry#report}, or over HTTP) and turns critical
 * when no report came within its TTL. With a deregister-after, an instance whose check has been
 * critical that long is removed.
 *
 * @param id unique among the instance's checks (a path segment); null picks the catalog's
 *           default: the type's name ({@code http}, {@code tcp}, {@code ttl}), numbered
 *           ({@code http-2}) when the instance has several of a type
 * @param type what is checked
 * @param target the URL (HTTP) or {@code host:port} (TCP); null for TTL
 * @param interval time between probes (HTTP, TCP); null for TTL
 * @param timeout how long a probe may take (HTTP, TCP); null for TTL
 * @param ttl how long a report holds (TTL); null otherwise
 * @param deregisterAfter remove the instance after this long critical; zero: never
 */
public record ServiceCheck(String id, Type type, String target, Duration interval, Duration timeout, Duration ttl,
                           Duration deregisterAfter) {
    /** The catalog's interval when none is given. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** The catalog's probe timeout when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    /** The kinds of check. */
    public enum Type {
        HTTP, TCP, TTL
    }

    public ServiceCheck {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(deregisterAfter, "deregisterAfter");
        if (id != null && (id.isEmpty() || id.contains("/"))) {
            throw new IllegalArgumentException("check id '" + id + "' must be a non-empty path segment");
        }
        if (type == Type.TTL) {
            positive(ttl, "ttl");
            if (target != null || interval != null || timeout != null) {
                throw new IllegalArgumentException("a TTL check is reported by the service: no target, interval "
                        + "or timeout");
            }
        } else {
            Objects.requireNonNull(target, "target");
            positive(interval, "interval");
            positive(timeout, "timeout");
            if (ttl != null) {
                throw new IllegalArgumentException("only a TTL check has a ttl");
            }
            if (type == Type.HTTP && !(target.startsWith("http://") || target.startsWith("https://"))) {
                throw new IllegalArgumentException("an HTTP check's target must be an http:// or https:// URL, not '"
                        + target + "'");
            }
            if (type == Type.TCP && !target.matches(".+:\\d{1,5}")) {
                throw new IllegalArgumentException("a TCP check's target must be host:port, not '" + target + "'");
            }
        }
        if (deregisterAfter.isNegative()) {
            throw new IllegalArgumentException("deregisterAfter must not be negative");
        }
    }

    private static void positive(Duration d, String what) {
        if (d == null || d.isNegative() || d.isZero() || d.toMillis() == 0) {
            throw new IllegalArgumentException("a check's " + what + " must be at least 1 ms, not " + d);
        }
    }

    /** An HTTP check of {@code url} every {@code interval}, with the default timeout. */
    public static ServiceCheck http(String url, Duration interval) {
        return new ServiceCheck(null, Type.HTTP, url, interval, DEFAULT_TIMEOUT, null, Duration.ZERO);
    }

    /** A TCP check of {@code hostPort} every {@code interval}, with the default timeout. */
    public static ServiceCheck tcp(String hostPort, Duration interval) {
        return new ServiceCheck(null, Type.TCP, hostPort, interval, DEFAULT_TIMEOUT, null, Duration.ZERO);
    }

    /** A check the service reports at least every {@code ttl}. */
    public static ServiceCheck ttl(Duration ttl) {
        return new ServiceCheck(null, Type.TTL, null, null, null, ttl, Duration.ZERO);
    }

    public ServiceCheck withId(String id) {
        return new ServiceCheck(id, type, target, interval, timeout, ttl, deregisterAfter);
    }

    public ServiceCheck withTimeout(Duration timeout) {
        return new ServiceCheck(id, type, target, interval, timeout, ttl, deregisterAfter);
    }

    public ServiceCheck withDeregisterAfter(Duration deregisterAfter) {
        return new ServiceCheck(id, type, target, interval, timeout, ttl, deregisterAfter);
    }
}
