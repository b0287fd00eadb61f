package io.kvorum.jepsen.history;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pairs each invocation with its completion, enforcing the process discipline every checker
 * relies on: a process has at most one operation open; a completion answers the open
 * invocation of its process, with the same f and key; a process whose operation ended in
 * {@code info} never invokes again (a client that does not know whether its last operation
 * happened must continue as a new process, or real-time order would be a lie).
 *
 * <p>Some vocabularies have observations (a watcher's events): lines with one of the given
 * f's are ok-typed, need no invocation, and are returned apart.
 */
public final class Pairing {
    public final List<Op> ops;
    public final List<Event> observations;

    private Pairing(List<Op> ops, List<Event> observations) {
        this.ops = ops;
        this.observations = observations;
    }

    public static Pairing of(List<Event> events, Set<String> observationFs) {
        // Ops are returned in invocation order; an op's slot is filled when it completes.
        List<Event> invokes = new ArrayList<>();
        // Identity: two events are the same only if they are the same line.
        Map<Event, Event> completions = new java.util.IdentityHashMap<>();
        Map<Long, Event> open = new HashMap<>();
        Set<Long> crashed = new HashSet<>();
        List<Event> observations = new ArrayList<>();
        for (Event e : events) {
            if (observationFs.contains(e.f())) {
                if (e.type() != Type.OK) {
                    throw new HistoryException(e.line(), "\"" + e.f() + "\" is an observation and must have type ok");
                }
                observations.add(e);
                continue;
            }
            Event inv = open.get(e.process());
            if (e.type() == Type.INVOKE) {
                if (inv != null) {
                    throw new HistoryException(e.line(), "process " + e.process()
                            + " invokes while its operation from line " + inv.line() + " is still open");
                }
                if (crashed.contains(e.process())) {
                    throw new HistoryException(e.line(), "process " + e.process()
                            + " invokes after an info completion; an indeterminate process must not invoke again");
                }
                open.put(e.process(), e);
                invokes.add(e);
                continue;
            }
            if (inv == null) {
                throw new HistoryException(e.line(), "a " + e.type().json() + " completion for process " + e.process()
                        + " which has no open invocation");
            }
            if (!inv.f().equals(e.f())) {
                throw new HistoryException(e.line(), "completion f \"" + e.f() + "\" does not match the invocation's \""
                        + inv.f() + "\" (line " + inv.line() + ")");
            }
            if (!java.util.Objects.equals(inv.key(), e.key())) {
                throw new HistoryException(e.line(), "completion key " + HistoryReader.describe(e.key())
                        + " does not match the invocation's " + HistoryReader.describe(inv.key()) + " (line " + inv.line() + ")");
            }
            open.remove(e.process());
            completions.put(inv, e);
            if (e.type() == Type.INFO) {
                crashed.add(e.process());
            }
        }
        List<Op> ops = new ArrayList<>(invokes.size());
        for (Event inv : invokes) {
            ops.add(new Op(inv, completions.get(inv)));
        }
        return new Pairing(ops, observations);
    }
}
