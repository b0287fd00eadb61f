package io.kvorum.jepsen.workload;

import java.util.List;

/** Workloads by the names {@code kvorum-jepsen run --workload} takes (each named like its checker). */
public final class Workloads {
    public static final List<String> NAMES = List.of("register", "set", "sequential", "lock", "watch", "session");

    private Workloads() {
    }

    public static Workload of(String name) {
        return switch (name) {
            case "register" -> new RegisterWorkload();
            case "set" -> new SetWorkload();
            case "sequential" -> new SequentialWorkload();
            case "lock" -> new LockWorkload();
            case "watch" -> new WatchWorkload();
            case "session" -> new SessionWorkload();
            default -> throw new IllegalArgumentException("unknown workload \"" + name + "\" (expected one of "
                    + String.join(", ", NAMES) + ")");
        };
    }
}
