package io.kvorum.server.state;

import io.kvorum.proto.v1.ErrorReason;

import java.nio.charset.StandardCharsets;

/**
 * Path rules, checked at apply even though the API checks them too: the log may carry commands
 * from an older or buggy proposer, and a bad path must fail the command, never corrupt the
 * tree. A valid path is {@code "/"} or {@code "/"}-separated non-empty segments, none of them
 * {@code "."} or {@code ".."}, without control characters (in particular no zero byte, which
 * the key layout uses as the separator between a parent and a child's name), at most
 * {@link StateLimits#maxPathBytes()} UTF-8 bytes.
 */
final class Paths {
    static final String ROOT = "/";

    private Paths() {
    }

    /** Checks {@code path}; throws {@link CommandFailure} INVALID_PATH or TOO_LARGE. */
    static void validate(String path, int maxBytes) {
        String problem = problem(path);
        if (problem != null) {
            throw new CommandFailure(ErrorReason.INVALID_PATH, path, "invalid path \"" + printable(path) + "\": "
                    + problem);
        }
        checkLength(path, maxBytes);
    }

    /** As {@link #validate} but for reads: throws {@link StateException}. */
    static void validateForRead(String path, int maxBytes) {
        try {
            validate(path, maxBytes);
        } catch (CommandFailure f) {
            throw new StateException(f.reason(), path, f.getMessage());
        }
    }

    static void checkLength(String path, int maxBytes) {
        // A UTF-8 encoding is at most 3 bytes per UTF-16 unit: skip the count for short paths.
        if (path.length() * 3L > maxBytes) {
            int bytes = path.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > maxBytes) {
                throw new CommandFailure(ErrorReason.TOO_LARGE, "", "path of " + bytes
                        + " bytes is over the limit of " + maxBytes + " bytes");
            }
        }
    }

    /** Why {@code path} is not valid, or null when it is. */
    static String problem(String path) {
        if (path == null || path.isEmpty()) {
            return "a path must not be empty";
        }
        if (path.charAt(0) != '/') {
            return "a path must start with '/'";
        }
        if (path.length() == 1) {
            return null;
        }
        if (path.charAt(path.length() - 1) == '/') {
            return "a path must not end with '/'";
        }
        int segStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            char c = i < path.length() ? path.charAt(i) : '/';
            if (c == '/') {
                int len = i - segStart;
                if (len == 0) {
                    return "empty segment at offset " + i;
                }
                if (len == 1 && path.charAt(segStart) == '.'
                        || len == 2 && path.charAt(segStart) == '.' && path.charAt(segStart + 1) == '.') {
                    return "'.' and '..' segments are not allowed";
                }
                segStart = i + 1;
            } else if (c < 0x20 || c >= 0x7F && c <= 0x9F) {
                return "control character U+" + String.format("%04X", (int) c) + " at offset " + i;
            }
        }
        return null;
    }

    /** The parent of a valid, non-root path. */
    static String parent(String path) {
        int slash = path.lastIndexOf('/');
        return slash == 0 ? ROOT : path.substring(0, slash);
    }

    /** The last segment of a valid, non-root path. */
    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String child(String parent, String name) {
        return parent.length() == 1 ? "/" + name : parent + "/" + name;
    }

    /** {@code n} as 10 decimal digits, zero-padded (more digits past 9,999,999,999). */
    static String sequenceSuffix(long n) {
        String s = Long.toString(n);
        if (s.length() >= 10) {
            return s;
        }
        return "0000000000".substring(s.length()) + s;
    }

    private static String printable(String path) {
        if (path == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(path.length(), 200));
        for (int i = 0; i < path.length() && i < 200; i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c >= 0x7F && c <= 0x9F) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (path.length() > 200) {
            sb.append("...");
        }
        return sb.toString();
    }
}
