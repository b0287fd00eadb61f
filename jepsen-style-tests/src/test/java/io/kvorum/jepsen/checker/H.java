package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Builds histories in tests: one call per line, times given explicitly so real-time order is visible. */
final class H {
    final List<Event> events = new ArrayList<>();

    H invoke(long time, long process, String f, String key, Object value) {
        return add(time, process, Type.INVOKE, f, key, value);
    }

    H ok(long time, long process, String f, String key, Object value) {
        return add(time, process, Type.OK, f, key, value);
    }

    H fail(long time, long process, String f, String key, Object value) {
        return add(time, process, Type.FAIL, f, key, value);
    }

    H info(long time, long process, String f, String key, Object value) {
        return add(time, process, Type.INFO, f, key, value);
    }

    /** A whole operation on key "x": invoke at {@code from}, complete at {@code to}. */
    H op(long process, long from, long to, Type outcome, String f, Object value) {
        Object invokeValue = f.equals("read") ? null : value;
        Object doneValue = f.equals("read") && outcome != Type.OK ? null : value;
        invoke(from, process, f, "x", invokeValue);
        return add(to, process, outcome, f, "x", doneValue);
    }

    H write(long process, long from, long to, long value) {
        return op(process, from, to, Type.OK, "write", value);
    }

    H read(long process, long from, long to, Long value) {
        return op(process, from, to, Type.OK, "read", value);
    }

    H cas(long process, long from, long to, Type outcome, Long expected, long value) {
        return op(process, from, to, outcome, "cas", Arrays.asList(expected, value));
    }

    H add(long time, long process, Type type, String f, String key, Object value) {
        events.add(new Event(events.size() + 1, process, type, f, key, value, time, null));
        return this;
    }

    /** Events sorted by time, as a recorder would write them. */
    List<Event> sorted() {
        List<Event> out = new ArrayList<>(events);
        out.sort(java.util.Comparator.comparingLong(Event::time));
        return out;
    }
}
