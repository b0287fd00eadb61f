package io.kvorum.jepsen.history;

/**
 * A validated register operation. Values are integers, {@code null} meaning the key is absent.
 *
 * @param f        read, write or cas
 * @param value    write: the value written; cas: the new value; read: the value read (null when
 *                 absent, or when the read did not complete ok)
 * @param expected cas only: the value it expects (null expects the key absent)
 * @param outcome  ok, fail or info (info also for an operation still open at the end)
 * @param call     invocation time
 * @param ret      completion time; {@link Long#MAX_VALUE} for info
 * @param line     the invocation's line, so a report can point into the file
 */
public record RegisterOp(long process, Fn f, String key, Long value, Long expected, Type outcome, long call, long ret,
                         int line) {

    public enum Fn {
        READ, WRITE, CAS;

        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The invocation's value field as the history writes it. */
    public Object invokeValue() {
        return switch (f) {
            case READ -> null;
            case WRITE -> value;
            case CAS -> java.util.Arrays.asList(expected, value);
        };
    }

    @Override
    public String toString() {
        String v = switch (f) {
            case READ -> outcome == Type.OK ? String.valueOf(value) : "?";
            case WRITE -> String.valueOf(value);
            case CAS -> expected + "->" + value;
        };
        return "p" + process + " " + f.json() + " " + key + " " + v + " " + outcome.json() + " [" + call + ", "
                + (ret == Long.MAX_VALUE ? "inf" : Long.toString(ret)) + "] (line " + line + ")";
    }
}
