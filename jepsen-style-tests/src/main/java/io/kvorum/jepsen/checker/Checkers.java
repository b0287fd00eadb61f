package io.kvorum.jepsen.checker;

import io.kvorum.jepsen.history.Event;
import io.kvorum.jepsen.history.RegisterHistory;
import java.time.Duration;
import java.util.List;

/** Every checker by model name, each a pure function of a history. */
public final class Checkers {
    public static final List<String> MODELS = List.of("register", "set", "sequential", "lock", "watch", "session");

    private Checkers() {
    }

    /** Throws {@link io.kvorum.jepsen.history.HistoryException} when the history does not fit the model's vocabulary. */
    public static CheckResult check(String model, List<Event> events, Duration timeLimit) {
        return switch (model) {
            case "register" -> new RegisterChecker(timeLimit).check(RegisterHistory.of(events));
            case "set" -> SetChecker.check(events);
            case "sequential" -> SequentialChecker.check(events);
            case "lock" -> LockChecker.check(events);
            case "watch" -> WatchChecker.check(events);
            case "session" -> SessionChecker.check(events);
            default -> throw new IllegalArgumentException("unknown model " + model);
        };
    }
}
