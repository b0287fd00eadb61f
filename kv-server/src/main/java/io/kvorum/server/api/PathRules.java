package io.kvorum.server.api;

import io.kvorum.proto.v1.ErrorReason;

/**
 * The path syntax of the data model (docs/architecture.md): absolute, '/'-separated, UTF-8, no empty
 * segments, no '.' or '..', no NUL or other control characters, at most a configured number
 * of UTF-8 bytes. {@link #problem} says what is wrong in words a user can act on.
 */
final class PathRules {
    /** What is wrong with a path, or null when it is fine. */
    record Problem(ErrorReason reason, String message) {
    }

    private PathRules() {
    }

    /**
     * @param rootAllowed whether "/" itself is acceptable (reads and watches: yes; create: no)
     * @param extraBytes  bytes the server will add (the 10-digit sequential suffix)
     */
    static Problem problem(String path, int maxBytes, boolean rootAllowed, int extraBytes) {
        if (path.isEmpty()) {
            return invalid("path is empty: give an absolute path such as /app/config");
        }
        int bytes = 0;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < path.length() && Character.isLowSurrogate(path.charAt(i + 1))) {
                bytes += 4;
                i++;
                continue;
            }
            if (Character.isSurrogate(c)) {
                return new Problem(ErrorReason.INVALID_DATA, "path " + quote(path)
                        + " is not valid UTF-8: unpaired surrogate at character " + i);
            }
            if (c == 0) {
                return invalid("path " + quote(path) + " contains a NUL character at character " + i);
            }
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                return invalid("path " + quote(path) + " contains the control character "
                        + String.format("U+%04X", (int) c) + " at character " + i);
            }
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        if (bytes + extraBytes > maxBytes) {
            return new Problem(ErrorReason.TOO_LARGE, "path " + quote(path) + " is " + bytes + " bytes"
                    + (extraBytes > 0 ? " plus a " + extraBytes + "-byte sequential suffix" : "")
                    + "; the limit is " + maxBytes + " bytes");
        }
        if (path.charAt(0) != '/') {
            return invalid("path " + quote(path) + " is not absolute: it must start with '/'");
        }
        if (path.length() == 1) {
            return rootAllowed ? null : invalid("path / is the root node, which cannot be created or deleted");
        }
        if (path.endsWith("/")) {
            return invalid("path " + quote(path) + " ends with '/': remove the trailing slash");
        }
        int start = 1;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            String segment = path.substring(start, end);
            if (segment.isEmpty()) {
                return invalid("path " + quote(path) + " has an empty segment ('//')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                return invalid("path " + quote(path) + " has a '" + segment
                        + "' segment: paths are not resolved, give the full path");
            }
            start = end + 1;
        }
        return null;
    }

    private static Problem invalid(String message) {
        return new Problem(ErrorReason.INVALID_PATH, message);
    }

    /** The path in quotes for a message: control characters escaped, long paths shortened. */
    static String quote(String path) {
        StringBuilder sb = new StringBuilder("\"");
        int limit = Math.min(path.length(), 200);
        for (int i = 0; i < limit; i++) {
            char c = path.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || Character.isSurrogate(c) || c == '"' || c == '\\') {
                sb.append(c == '"' || c == '\\' ? "\\" + c : String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (limit < path.length()) {
            sb.append("...(").append(path.length()).append(" characters)");
        }
        return sb.append('"').toString();
    }
}
