package io.kvorum.jepsen.history;

/**
 * An invocation and its completion. {@code completion} is null when the history ended with the
 * operation still open, which counts as indeterminate (like {@link Type#INFO}).
 */
public record Op(Event invoke, Event completion) {

    public Type outcome() {
        return completion == null ? Type.INFO : completion.type();
    }

    public long process() {
        return invoke.process();
    }

    public String f() {
        return invoke.f();
    }

    public String key() {
        return invoke.key();
    }

    public long callTime() {
        return invoke.time();
    }

    /** When the client learned the outcome; for an indeterminate operation, never. */
    public long returnTime() {
        return outcome() == Type.INFO ? Long.MAX_VALUE : completion.time();
    }

    /** The completion's value when it completed, else the invocation's. */
    public Object result() {
        return completion == null ? null : completion.value();
    }
}
