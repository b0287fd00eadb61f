package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.HistoryException;
import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Pairing;
import io.kvorum.jepsen.history.Type;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A lock with fencing tokens (the key names the lock). f "acquire": invoke null, ok value the
 * fencing token. f "release": every line's value is the token being released; the process must
 * hold it. A release that completes ok means the holder still held the lock until then, so its
 * critical section [acquire returned, release called] is certain, and no two certain sections
 * may overlap in real time. A section whose release did not complete ok may have ended early
 * (the session expired: the case etcd-io/etcd#11456 is about), so only its token is judged:
 * tokens are unique per lock, and an acquisition that finished before another began has the
 * smaller token.
 */
public final class LockChecker {
    private LockChecker() {
    }

    private record Section(Op acquire, long token, Op release) {
        boolean certain() {
            return release != null && release.outcome() == Type.OK;
        }

        long start() {
            return acquire.returnTime();
        }

        long end() {
            return release.callTime();
        }
    }

    public static CheckResult check(List<Event> events) {
        Vocab.fs(events, Set.of("acquire", "release"));
        Map<String, List<Section>> byLock = new TreeMap<>();
        Map<Long, Section> held = new HashMap<>();
        for (Op op : Pairing.of(events, Set.of()).ops) {
            String lock = Vocab.key(op.invoke());
            if (op.f().equals("acquire")) {
                Vocab.isNull(op.invoke());
                if (!Vocab.okResult(op)) {
                    continue;
                }
                Section s = new Section(op, Vocab.integer(op.completion()), null);
                held.put(op.process(), s);
                byLock.computeIfAbsent(lock, k -> new ArrayList<>()).add(s);
            } else {
                long token = Vocab.integer(op.invoke());
                Vocab.sameValue(op);
                Section s = held.remove(op.process());
                if (s == null || s.token != token || !s.acquire.key().equals(lock)) {
                    throw new HistoryException(op.invoke().line(), "process " + op.process() + " releases token " + token
                            + " of lock " + lock + " which it does not hold");
                }
                List<Section> sections = byLock.get(lock);
                sections.set(sections.indexOf(s), new Section(s.acquire, token, op));
            }
        }
        List<String> violations = new ArrayList<>();
        long acquisitions = 0;
        long certain = 0;
        for (Map.Entry<String, List<Section>> e : byLock.entrySet()) {
            String lock = e.getKey();
            List<Section> ss = e.getValue();
            acquisitions += ss.size();
            Map<Long, Section> byToken = new HashMap<>();
            for (Section s : ss) {
                Section other = byToken.put(s.token, s);
                if (other != null) {
                    violations.add(lock + ": token " + s.token + " granted twice (" + Vocab.at(other.acquire.invoke())
                            + " and " + Vocab.at(s.acquire.invoke()) + ")");
                }
            }
            for (int i = 0; i < ss.size(); i++) {
                for (int j = 0; j < ss.size(); j++) {
                    Section a = ss.get(i);
                    Section b = ss.get(j);
                    if (a.acquire.returnTime() < b.acquire.callTime() && a.token >= b.token) {
                        violations.add(lock + ": acquisition " + Vocab.at(a.acquire.invoke()) + " (token " + a.token
                                + ") finished before " + Vocab.at(b.acquire.invoke()) + " began, which got the token "
                                + b.token);
                    }
                }
            }
            List<Section> sure = new ArrayList<>();
            for (Section s : ss) {
                if (s.certain()) {
                    sure.add(s);
                }
            }
            certain += sure.size();
            sure.sort(Comparator.comparingLong(Section::start));
            // Sorted by start, a section overlaps a later one only if it ends after that one starts.
            long maxEnd = Long.MIN_VALUE;
            Section maxEndSection = null;
            for (Section s : sure) {
                if (maxEndSection != null && s.start() < maxEnd) {
                    violations.add(lock + ": critical sections overlap: process " + maxEndSection.acquire.process()
                            + " held token " + maxEndSection.token + " from " + maxEndSection.start() + " to " + maxEnd
                            + " and process " + s.acquire.process() + " held token " + s.token + " from " + s.start()
                            + " to " + s.end() + " (" + Vocab.at(maxEndSection.acquire.invoke()) + ", "
                            + Vocab.at(s.acquire.invoke()) + ")");
                }
                if (s.end() > maxEnd) {
                    maxEnd = s.end();
                    maxEndSection = s;
                }
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("locks", (long) byLock.size());
        d.put("acquisitions", acquisitions);
        d.put("certainSections", certain);
        d.put("violations", violations);
        boolean valid = violations.isEmpty();
        return new CheckResult("lock", valid ? Verdict.VALID : Verdict.INVALID,
                (valid ? "valid: " : "invalid: ") + acquisitions + " acquisitions (" + certain
                        + " with confirmed release) of " + byLock.size() + " locks"
                        + (valid ? "" : "\n  " + String.join("\n  ", violations)), d);
    }
}
