package io.kvorum.jepsen.history;

/** What a history line says about an operation. */
public enum Type {
    /** The client is about to send the operation. */
    INVOKE,
    /** It certainly took effect, with the line's value as its result. */
    OK,
    /** It certainly did not take effect. */
    FAIL,
    /** Indeterminate: it may or may not have taken effect (a timeout, a lost connection). */
    INFO;

    public String json() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Type of(String s) {
        return switch (s) {
            case "invoke" -> INVOKE;
            case "ok" -> OK;
            case "fail" -> FAIL;
            case "info" -> INFO;
            default -> null;
        };
    }
}
