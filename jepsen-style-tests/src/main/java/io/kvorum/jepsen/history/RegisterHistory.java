package io.kvorum.jepsen.history;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The register vocabulary: f is read, write or cas on a key; values are integers or null.
 * <ul>
 *   <li>read: invoke value null; ok value the value read (null for an absent key); fail/info null.
 *   <li>write: every line's value is the value written.
 *   <li>cas: every line's value is [expected, new]; expected may be null (expects absent), new may not.
 * </ul>
 */
public final class RegisterHistory {
    private RegisterHistory() {
    }

    public static List<RegisterOp> read(Path file) throws IOException {
        return of(HistoryReader.read(file));
    }

    public static List<RegisterOp> parse(String text) {
        return of(HistoryReader.readString(text));
    }

    public static List<RegisterOp> of(List<Event> events) {
        for (Event e : events) {
            check(e);
        }
        List<RegisterOp> out = new ArrayList<>();
        for (Op op : Pairing.of(events, Set.of()).ops) {
            Event inv = op.invoke();
            Event done = op.completion();
            RegisterOp.Fn f = fn(inv);
            if (done != null && f != RegisterOp.Fn.READ && !Objects.equals(inv.value(), done.value())) {
                throw new HistoryException(done.line(), f.json() + " completion value " + HistoryReader.describe(done.value())
                        + " differs from its invocation's " + HistoryReader.describe(inv.value()) + " (line " + inv.line() + ")");
            }
            Long value;
            Long expected = null;
            switch (f) {
                case READ -> value = op.outcome() == Type.OK ? (Long) done.value() : null;
                case WRITE -> value = (Long) inv.value();
                default -> {
                    List<?> pair = (List<?>) inv.value();
                    expected = (Long) pair.get(0);
                    value = (Long) pair.get(1);
                }
            }
            out.add(new RegisterOp(inv.process(), f, inv.key(), value, expected, op.outcome(), op.callTime(),
                    op.returnTime(), inv.line()));
        }
        return out;
    }

    private static RegisterOp.Fn fn(Event e) {
        return switch (e.f()) {
            case "read" -> RegisterOp.Fn.READ;
            case "write" -> RegisterOp.Fn.WRITE;
            case "cas" -> RegisterOp.Fn.CAS;
            default -> throw new HistoryException(e.line(), "unknown f \"" + e.f() + "\" (expected read, write or cas)");
        };
    }

    /** The shape of one line's value, before pairing, so a bad line is named even if unpaired. */
    private static void check(Event e) {
        RegisterOp.Fn f = fn(e);
        if (e.key() == null) {
            throw new HistoryException(e.line(), "missing field \"key\"");
        }
        Object v = e.value();
        switch (f) {
            case READ -> {
                if (e.type() == Type.OK) {
                    if (v != null && !(v instanceof Long)) {
                        throw new HistoryException(e.line(), "an ok read's value must be an integer or null, got "
                                + HistoryReader.describe(v));
                    }
                } else if (v != null) {
                    throw new HistoryException(e.line(), "a read's " + e.type().json() + " value must be null, got "
                            + HistoryReader.describe(v));
                }
            }
            case WRITE -> {
                if (!(v instanceof Long)) {
                    throw new HistoryException(e.line(), "a write's value must be an integer, got " + HistoryReader.describe(v));
                }
            }
            case CAS -> {
                if (!(v instanceof List<?> l) || l.size() != 2 || !(l.get(0) == null || l.get(0) instanceof Long)
                        || !(l.get(1) instanceof Long)) {
                    throw new HistoryException(e.line(), "a cas value must be [expected, new] with integer new and "
                            + "integer or null expected, got " + HistoryReader.describe(v));
                }
            }
        }
    }
}
