package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.HistoryException;
import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Pairing;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Watches: every watcher sees the same events in the same order, without gaps, and they add
 * up to the final state. Vocabulary:
 * <ul>
 *   <li>{@code watch}: key the watched prefix, value the start revision (every line); once ok,
 *       the process is a watcher;
 *   <li>{@code event} (an observation: type ok, no invocation): the watcher's process, key the
 *       changed key, value [revision, "put" or "delete", data] (data null for a delete);
 *   <li>{@code put}/{@code delete} by writers: invoke value the data (null for delete); ok value
 *       [revision, data];
 *   <li>{@code read}, the final read of a key: invoke null; ok value [data, modRevision], or null
 *       when absent.
 * </ul>
 * The reference log is the union of what watchers saw (conflicting contents for one revision
 * and key are a violation) plus acknowledged writes; each watcher must have seen exactly the
 * reference events under its prefix from its start revision to the last revision it saw, in
 * the reference order. Final reads must match the reference log's last event per key.
 */
public final class WatchChecker {
    private WatchChecker() {
    }

    private record Ev(long revision, String key, String kind, Long data, Event source) {
        boolean sameContent(Ev o) {
            return kind.equals(o.kind) && Objects.equals(data, o.data);
        }

        @Override
        public String toString() {
            return kind + " " + key + "=" + data + "@" + revision;
        }
    }

    private static final class Watcher {
        final long process;
        final String prefix;
        final long start;
        final List<Ev> seen = new ArrayList<>();

        Watcher(long process, String prefix, long start) {
            this.process = process;
            this.prefix = prefix;
            this.start = start;
        }

        long last() {
            return seen.isEmpty() ? start - 1 : seen.get(seen.size() - 1).revision;
        }

        boolean covers(String key) {
            return key.startsWith(prefix);
        }
    }

    public static CheckResult check(List<Event> events) {
        Vocab.fs(events, Set.of("watch", "event", "put", "delete", "read"));
        Pairing pairing = Pairing.of(events, Set.of("event"));
        Map<Long, Watcher> watchers = new TreeMap<>();
        List<Ev> writes = new ArrayList<>();
        Map<String, Op> finalReads = new TreeMap<>();
        for (Op op : pairing.ops) {
            String key = Vocab.key(op.invoke());
            switch (op.f()) {
                case "watch" -> {
                    long start = Vocab.integer(op.invoke());
                    Vocab.sameValue(op);
                    if (Vocab.okResult(op)) {
                        watchers.put(op.process(), new Watcher(op.process(), key, start));
                    }
                }
                case "read" -> {
                    Vocab.isNull(op.invoke());
                    if (Vocab.okResult(op)) {
                        if (op.completion().value() != null) {
                            List<?> v = Vocab.tuple(op.completion(), 2, "[data, modRevision] or null");
                            Vocab.integerAt(op.completion(), v, 1, "[data, modRevision] or null");
                        }
                        Op prev = finalReads.get(key);
                        if (prev == null || op.returnTime() >= prev.returnTime()) {
                            finalReads.put(key, op);
                        }
                    }
                }
                default -> {
                    boolean put = op.f().equals("put");
                    if (put) {
                        Vocab.integer(op.invoke());
                    } else {
                        Vocab.isNull(op.invoke());
                    }
                    if (Vocab.okResult(op)) {
                        List<?> v = Vocab.tuple(op.completion(), 2, "[revision, data]");
                        long rev = Vocab.integerAt(op.completion(), v, 0, "[revision, data]");
                        writes.add(new Ev(rev, key, op.f(), put ? (Long) op.invoke().value() : null, op.completion()));
                    }
                }
            }
        }
        for (Event e : pairing.observations) {
            Watcher w = watchers.get(e.process());
            if (w == null) {
                throw new HistoryException(e.line(), "an event for process " + e.process() + " which has no ok watch");
            }
            List<?> v = Vocab.tuple(e, 3, "[revision, \"put\" or \"delete\", data]");
            long rev = Vocab.integerAt(e, v, 0, "[revision, kind, data]");
            Object kind = v.get(1);
            if (!("put".equals(kind) || "delete".equals(kind)) || !(v.get(2) == null || v.get(2) instanceof Long)) {
                throw Vocab.bad(e, "[revision, \"put\" or \"delete\", integer or null]");
            }
            w.seen.add(new Ev(rev, Vocab.key(e), (String) kind, (Long) v.get(2), e));
        }

        List<String> violations = new ArrayList<>();
        // The reference log: revision -> events in the order the first watcher to see them did.
        TreeMap<Long, List<Ev>> log = new TreeMap<>();
        Map<String, Ev> index = new HashMap<>();
        for (Watcher w : watchers.values()) {
            for (Ev ev : w.seen) {
                Ev known = index.get(ev.revision + "\0" + ev.key);
                if (known == null) {
                    index.put(ev.revision + "\0" + ev.key, ev);
                    log.computeIfAbsent(ev.revision, r -> new ArrayList<>()).add(ev);
                } else if (!known.sameContent(ev)) {
                    violations.add("watchers disagree on revision " + ev.revision + " of " + ev.key + ": " + known
                            + " (line " + known.source.line() + ") vs " + ev + " (line " + ev.source.line() + ")");
                }
            }
        }
        for (Ev wr : writes) {
            Ev known = index.get(wr.revision + "\0" + wr.key);
            if (known == null) {
                index.put(wr.revision + "\0" + wr.key, wr);
                log.computeIfAbsent(wr.revision, r -> new ArrayList<>()).add(wr);
            } else if (!known.sameContent(wr)) {
                violations.add("acknowledged " + wr + " (line " + wr.source.line() + ") but watchers saw " + known);
            }
        }
        for (Watcher w : watchers.values()) {
            checkWatcher(w, log, violations);
        }
        checkFinalState(watchers, log, finalReads, violations);

        long delivered = 0;
        for (Watcher w : watchers.values()) {
            delivered += w.seen.size();
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("watchers", (long) watchers.size());
        d.put("eventsDelivered", delivered);
        d.put("revisions", (long) log.size());
        d.put("violations", violations);
        boolean valid = violations.isEmpty();
        Verdict verdict = valid ? (watchers.isEmpty() ? Verdict.UNKNOWN : Verdict.VALID) : Verdict.INVALID;
        return new CheckResult("watch", verdict, verdict.json() + ": " + watchers.size() + " watchers, " + delivered
                + " events delivered over " + log.size() + " revisions"
                + (valid ? "" : "\n  " + String.join("\n  ", violations)), d);
    }

    private static void checkWatcher(Watcher w, TreeMap<Long, List<Ev>> log, List<String> violations) {
        String who = "watcher p" + w.process + " (" + w.prefix + " from " + w.start + ")";
        List<Ev> expected = new ArrayList<>();
        for (List<Ev> atRevision : log.subMap(w.start, true, w.last(), true).values()) {
            for (Ev ev : atRevision) {
                if (w.covers(ev.key)) {
                    expected.add(ev);
                }
            }
        }
        for (int i = 1; i < w.seen.size(); i++) {
            if (w.seen.get(i).revision < w.seen.get(i - 1).revision) {
                violations.add(who + " got " + w.seen.get(i) + " after " + w.seen.get(i - 1) + ": out of order (line "
                        + w.seen.get(i).source.line() + ")");
                return;
            }
        }
        for (int i = 0; i < Math.max(expected.size(), w.seen.size()); i++) {
            Ev want = i < expected.size() ? expected.get(i) : null;
            Ev got = i < w.seen.size() ? w.seen.get(i) : null;
            if (got != null && (got.revision < w.start || !w.covers(got.key))) {
                violations.add(who + " got " + got + " outside its watch (line " + got.source.line() + ")");
                return;
            }
            if (want == null || got == null || want.revision != got.revision || !want.key.equals(got.key)) {
                String problem = got == null ? "is missing " + want
                        : want == null ? "got an extra " + got + " (line " + got.source.line() + ")"
                        : got.revision <= want.revision
                        ? "got " + got + " out of order where " + want + " was due (line " + got.source.line() + ")"
                        : "skipped " + want + " (a gap): next it got " + got + " (line " + got.source.line() + ")";
                violations.add(who + " " + problem);
                return; // one story per watcher: the rest would only repeat the shift
            }
        }
    }

    private static void checkFinalState(Map<Long, Watcher> watchers, TreeMap<Long, List<Ev>> log,
                                        Map<String, Op> finalReads, List<String> violations) {
        Map<String, Ev> lastByKey = new HashMap<>();
        for (List<Ev> evs : log.values()) {
            for (Ev ev : evs) {
                lastByKey.put(ev.key, ev);
            }
        }
        for (Map.Entry<String, Op> e : finalReads.entrySet()) {
            String key = e.getKey();
            long minStart = Long.MAX_VALUE;
            long maxLast = Long.MIN_VALUE;
            for (Watcher w : watchers.values()) {
                if (w.covers(key)) {
                    minStart = Math.min(minStart, w.start);
                    maxLast = Math.max(maxLast, w.last());
                }
            }
            if (minStart == Long.MAX_VALUE) {
                continue; // nobody watched this key
            }
            Ev last = lastByKey.get(key);
            Object value = e.getValue().completion().value();
            int line = e.getValue().completion().line();
            if (value == null) {
                if (last != null && !last.kind.equals("delete")) {
                    violations.add("final read of " + key + " (line " + line + ") finds it absent, but the last event is "
                            + last);
                }
                continue;
            }
            List<?> v = (List<?>) value;
            long modRevision = (Long) v.get(1);
            if (modRevision > maxLast) {
                violations.add("final read of " + key + " (line " + line + ") shows revision " + modRevision
                        + ", never delivered: watchers saw up to " + maxLast);
            } else if (modRevision >= minStart && (last == null || !last.kind.equals("put") || last.revision != modRevision
                    || !Objects.equals(last.data, v.get(0)))) {
                violations.add("final read of " + key + " (line " + line + ") is " + v.get(0) + "@" + modRevision
                        + " but the events end with " + (last == null ? "nothing" : last.toString()));
            }
        }
    }
}
