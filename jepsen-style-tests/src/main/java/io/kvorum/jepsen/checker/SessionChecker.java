package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.HistoryException;
import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Pairing;
import io.kvorum.jepsen.history.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sessions and their ephemeral nodes. Vocabulary (times in the history's nanoseconds, TTLs in
 * milliseconds):
 * <ul>
 *   <li>{@code open}: invoke value the TTL in ms; ok value [sessionId, ttlMs];
 *   <li>{@code keepalive} and {@code close}: every line's value is the session id;
 *   <li>{@code create}: key the ephemeral's path, every line's value the owning session id;
 *   <li>{@code exists}: key a path; invoke null; ok value true or false.
 * </ul>
 * A session acknowledged by open or keepalive at a request sent at time t lives at least until
 * t + TTL (the server got the request after t), unless a close was sent. So an ephemeral seen
 * absent by a read that began after its create finished and ended before then vanished too
 * early. A session whose last request (open, keepalive; any outcome but fail) was answered or
 * given up on at time u must be gone by u + TTL + grace (grace covers the expiry check's
 * period and a leader change); an ephemeral seen present by a read that began after that, or
 * after its session's close was acknowledged, outlived its session. Each path is created once
 * and removed only by its session's end.
 */
public final class SessionChecker {
    /** Default slack past a session's TTL before its ephemerals must be gone. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    private SessionChecker() {
    }

    private static final class Session {
        final long id;
        final long ttlNanos;
        long aliveUntil;
        long lastContact;
        boolean contactOpen; // a request never answered: it may keep the session alive indefinitely
        long closeSent = Long.MAX_VALUE;
        long closedAt = Long.MAX_VALUE;

        Session(long id, long ttlMs) {
            this.id = id;
            this.ttlNanos = ttlMs * 1_000_000;
        }

        void contact(Op op) {
            if (op.outcome() == Type.FAIL) {
                return;
            }
            if (op.outcome() == Type.OK) {
                aliveUntil = Math.max(aliveUntil, op.callTime() + ttlNanos);
            }
            if (op.completion() == null) {
                contactOpen = true;
            } else {
                lastContact = Math.max(lastContact, op.completion().time());
            }
        }
    }

    public static CheckResult check(List<Event> events) {
        return check(events, DEFAULT_GRACE);
    }

    public static CheckResult check(List<Event> events, Duration grace) {
        Vocab.fs(events, Set.of("open", "keepalive", "close", "create", "exists"));
        List<Op> ops = Pairing.of(events, Set.of()).ops;
        Map<Long, Session> sessions = new HashMap<>();
        Map<String, Op> creates = new HashMap<>();
        List<Op> reads = new ArrayList<>();
        List<Op> contacts = new ArrayList<>();
        for (Op op : ops) {
            switch (op.f()) {
                case "open" -> {
                    long ttl = Vocab.integer(op.invoke());
                    if (Vocab.okResult(op)) {
                        List<?> v = Vocab.tuple(op.completion(), 2, "[sessionId, ttlMs]");
                        long id = Vocab.integerAt(op.completion(), v, 0, "[sessionId, ttlMs]");
                        long granted = Vocab.integerAt(op.completion(), v, 1, "[sessionId, ttlMs]");
                        if (sessions.containsKey(id)) {
                            throw new HistoryException(op.completion().line(), "session " + id + " opened twice");
                        }
                        Session s = new Session(id, granted > 0 ? granted : ttl);
                        s.contact(op);
                        sessions.put(id, s);
                    }
                }
                case "keepalive", "close" -> {
                    Vocab.integer(op.invoke());
                    Vocab.sameValue(op);
                    contacts.add(op);
                }
                case "create" -> {
                    String path = Vocab.key(op.invoke());
                    Vocab.integer(op.invoke());
                    Vocab.sameValue(op);
                    if (op.outcome() == Type.OK && creates.put(path, op) != null) {
                        throw new HistoryException(op.invoke().line(), "path " + path + " created twice");
                    }
                }
                default -> {
                    Vocab.key(op.invoke());
                    Vocab.isNull(op.invoke());
                    if (Vocab.okResult(op)) {
                        if (!(op.completion().value() instanceof Boolean)) {
                            throw Vocab.bad(op.completion(), "true or false");
                        }
                        reads.add(op);
                    }
                }
            }
        }
        for (Op op : contacts) {
            Session s = session(sessions, op);
            if (op.f().equals("keepalive")) {
                s.contact(op);
            } else {
                s.closeSent = Math.min(s.closeSent, op.callTime());
                if (op.outcome() == Type.OK) {
                    s.closedAt = Math.min(s.closedAt, op.returnTime());
                }
            }
        }
        List<String> violations = new ArrayList<>();
        long graceNanos = grace.toNanos();
        for (Op read : reads) {
            Op create = creates.get(read.key());
            if (create == null) {
                continue;
            }
            Session s = session(sessions, create);
            boolean present = (Boolean) read.completion().value();
            String what = read.key() + " of session " + s.id + " (created line " + create.invoke().line() + ", read line "
                    + read.invoke().line() + ")";
            if (!present && read.callTime() > create.returnTime() && read.returnTime() < Math.min(s.aliveUntil, s.closeSent)) {
                violations.add(what + " vanished while its session was certainly alive: read ended "
                        + millis(s.aliveUntil - read.returnTime()) + " ms before the session could expire");
            }
            long goneBy = s.contactOpen ? Long.MAX_VALUE : s.lastContact + s.ttlNanos + graceNanos;
            goneBy = Math.min(goneBy, s.closedAt);
            if (present && read.callTime() > goneBy) {
                violations.add(what + " outlived its session: still there " + millis(read.callTime() - goneBy)
                        + " ms after it had to be gone" + (s.closedAt != Long.MAX_VALUE ? " (session closed)" : ""));
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("sessions", (long) sessions.size());
        d.put("ephemerals", (long) creates.size());
        d.put("reads", (long) reads.size());
        d.put("graceMillis", grace.toMillis());
        d.put("violations", violations);
        boolean valid = violations.isEmpty();
        return new CheckResult("session", valid ? Verdict.VALID : Verdict.INVALID,
                (valid ? "valid: " : "invalid: ") + sessions.size() + " sessions, " + creates.size() + " ephemerals, "
                        + reads.size() + " reads" + (valid ? "" : "\n  " + String.join("\n  ", violations)), d);
    }

    private static Session session(Map<Long, Session> sessions, Op op) {
        long id = (Long) op.invoke().value();
        Session s = sessions.get(id);
        if (s == null) {
            throw new HistoryException(op.invoke().line(), "session " + id + " was never opened ok");
        }
        return s;
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
