package io.kvorum.jepsen.run;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.Type;
import io.kvorum.jepsen.nemesis.RunClock;
import java.util.ArrayList;
import java.util.List;

/**
 * The history as it happens. Each event's time is read under the same lock that appends it, so
 * the order of the list is the order of the times: the history file never goes backwards (its
 * parser refuses that), whichever threads record concurrently.
 *
 * <p>Values must be what the history's JSON reads back as: {@code Long} (never Integer), String,
 * Boolean, List, or null.
 */
public final class Recorder {
    private final RunClock clock;
    private final List<Event> events = new ArrayList<>();
    private long invocations;

    public Recorder(RunClock clock) {
        this.clock = clock;
    }

    public synchronized Event record(long process, Type type, String f, String key, Object value, String error) {
        Event e = new Event(0, process, type, f, key, value, clock.now(), error);
        events.add(e);
        if (type == Type.INVOKE) {
            invocations++;
        }
        return e;
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    /** Operations invoked so far. */
    public synchronized long invocations() {
        return invocations;
    }

    public RunClock clock() {
        return clock;
    }
}
