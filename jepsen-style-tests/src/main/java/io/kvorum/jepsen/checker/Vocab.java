package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.HistoryException;
import io.kvorum.jepsen.history.HistoryReader;
import io.kvorum.jepsen.history.Op;
import io.kvorum.jepsen.history.Type;
import java.util.List;
import java.util.Set;

/** Value-shape rules the small vocabularies share; each failure names the line. */
final class Vocab {
    private Vocab() {
    }

    static void fs(List<Event> events, Set<String> allowed) {
        for (Event e : events) {
            if (!allowed.contains(e.f())) {
                throw new HistoryException(e.line(), "unknown f \"" + e.f() + "\" (expected one of "
                        + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
    }

    static long integer(Event e) {
        if (!(e.value() instanceof Long l)) {
            throw bad(e, "an integer");
        }
        return l;
    }

    static void isNull(Event e) {
        if (e.value() != null) {
            throw bad(e, "null");
        }
    }

    static String key(Event e) {
        if (e.key() == null) {
            throw new HistoryException(e.line(), "missing field \"key\"");
        }
        return e.key();
    }

    /** A JSON array of exactly {@code n} elements, each an integer (or null where allowed). */
    static List<?> tuple(Event e, int n, String what) {
        if (!(e.value() instanceof List<?> l) || l.size() != n) {
            throw bad(e, what);
        }
        return l;
    }

    static long integerAt(Event e, List<?> l, int i, String what) {
        if (!(l.get(i) instanceof Long v)) {
            throw bad(e, what);
        }
        return v;
    }

    /** Completions of f's that repeat their invocation's value must repeat it exactly. */
    static void sameValue(Op op) {
        if (op.completion() != null && !java.util.Objects.equals(op.invoke().value(), op.completion().value())) {
            throw new HistoryException(op.completion().line(), op.f() + " completion value "
                    + HistoryReader.describe(op.completion().value()) + " differs from its invocation's "
                    + HistoryReader.describe(op.invoke().value()) + " (line " + op.invoke().line() + ")");
        }
    }

    /** Completion lines other than ok carry no result. */
    static boolean okResult(Op op) {
        if (op.completion() != null && op.outcome() != Type.OK) {
            isNull(op.completion());
        }
        return op.outcome() == Type.OK;
    }

    static HistoryException bad(Event e, String expected) {
        return new HistoryException(e.line(), "a " + e.type().json() + " " + e.f() + "'s value must be " + expected
                + ", got " + HistoryReader.describe(e.value()));
    }

    static String at(Event e) {
        return "line " + e.line();
    }
}
