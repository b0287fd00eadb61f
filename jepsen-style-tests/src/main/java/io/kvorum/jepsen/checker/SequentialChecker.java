package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Pairing;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sequential creates: f "create" under a parent (the key); an ok completion's value is
 * [sequence suffix, revision]. Under each parent, suffixes are unique and increase in revision
 * order; revisions are unique cluster-wide; and a create that finished before another began got
 * the smaller suffix and revision (real time).
 */
public final class SequentialChecker {
    private SequentialChecker() {
    }

    private record Created(Op op, String parent, long seq, long revision) {
    }

    public static CheckResult check(List<Event> events) {
        Vocab.fs(events, Set.of("create"));
        Map<String, List<Created>> byParent = new TreeMap<>();
        Map<Long, Created> byRevision = new HashMap<>();
        List<String> violations = new ArrayList<>();
        long count = 0;
        for (Op op : Pairing.of(events, Set.of()).ops) {
            String parent = Vocab.key(op.invoke());
            Vocab.isNull(op.invoke());
            if (!Vocab.okResult(op)) {
                continue;
            }
            Event done = op.completion();
            List<?> v = Vocab.tuple(done, 2, "[sequence, revision]");
            Created c = new Created(op, parent, Vocab.integerAt(done, v, 0, "[sequence, revision]"),
                    Vocab.integerAt(done, v, 1, "[sequence, revision]"));
            count++;
            Created sameRevision = byRevision.put(c.revision, c);
            if (sameRevision != null) {
                violations.add("revision " + c.revision + " given to two creates: " + Vocab.at(sameRevision.op.invoke())
                        + " and " + Vocab.at(op.invoke()));
            }
            byParent.computeIfAbsent(parent, k -> new ArrayList<>()).add(c);
        }
        for (Map.Entry<String, List<Created>> e : byParent.entrySet()) {
            List<Created> cs = e.getValue();
            cs.sort(Comparator.comparingLong(Created::revision));
            for (int i = 1; i < cs.size(); i++) {
                Created a = cs.get(i - 1);
                Created b = cs.get(i);
                if (b.seq <= a.seq) {
                    violations.add(e.getKey() + ": suffix " + b.seq + " at revision " + b.revision + " (" + Vocab.at(b.op.invoke())
                            + ") does not increase on suffix " + a.seq + " at revision " + a.revision + " ("
                            + Vocab.at(a.op.invoke()) + ")");
                }
            }
            // Real time: sorted by revision, a later-revision create must not have finished
            // before an earlier-revision one began.
            for (int i = 0; i < cs.size(); i++) {
                for (int j = i + 1; j < cs.size(); j++) {
                    Created a = cs.get(i);
                    Created b = cs.get(j);
                    if (b.op.returnTime() < a.op.callTime()) {
                        violations.add(e.getKey() + ": create " + Vocab.at(b.op.invoke()) + " finished before create "
                                + Vocab.at(a.op.invoke()) + " began, yet got the later revision " + b.revision);
                    }
                }
            }
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("creates", count);
        d.put("parents", (long) byParent.size());
        d.put("violations", violations);
        boolean valid = violations.isEmpty();
        return new CheckResult("sequential", valid ? Verdict.VALID : Verdict.INVALID,
                (valid ? "valid: " : "invalid: ") + count + " sequential creates under " + byParent.size() + " parents"
                        + (valid ? "" : "\n  " + String.join("\n  ", violations)), d);
    }
}
