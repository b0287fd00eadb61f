package io.kvorum.jepsen.history;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader for one JSON value (RFC 8259), small enough to read in one sitting.
 * Objects become {@link LinkedHashMap}s (a repeated name is an error, not "last wins", so a
 * history line can never say two things), arrays {@link List}s, integers {@link Long}
 * (an integer that does not fit is an error rather than a silently rounded double), other
 * numbers {@link Double}, and {@code true}/{@code false}/{@code null} themselves.
 * Errors are {@link JsonException}s naming the column, so a history parser can add the line.
 */
public final class Json {
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Parses exactly one value; anything but whitespace after it is an error. */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.skipSpace();
        Object v = p.value();
        p.skipSpace();
        if (p.i != text.length()) {
            throw p.error("unexpected '" + text.charAt(p.i) + "' after the value");
        }
        return v;
    }

    private Object value() {
        if (i >= s.length()) {
            throw error("unexpected end of input");
        }
        char c = s.charAt(i);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("unexpected '" + c + "'");
            }
        };
    }

    private Map<String, Object> object() {
        Map<String, Object> out = new LinkedHashMap<>();
        i++;
        skipSpace();
        if (peek() == '}') {
            i++;
            return out;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("expected a quoted field name");
            }
            int at = i;
            String name = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object v = value();
            if (out.containsKey(name)) {
                i = at;
                throw error("field \"" + name + "\" appears twice");
            }
            out.put(name, v);
            skipSpace();
            char c = peek();
            i++;
            if (c == '}') {
                return out;
            }
            if (c != ',') {
                i--;
                throw error("expected ',' or '}' in an object");
            }
        }
    }

    private List<Object> array() {
        List<Object> out = new ArrayList<>();
        i++;
        skipSpace();
        if (peek() == ']') {
            i++;
            return out;
        }
        while (true) {
            skipSpace();
            out.add(value());
            skipSpace();
            char c = peek();
            i++;
            if (c == ']') {
                return out;
            }
            if (c != ',') {
                i--;
                throw error("expected ',' or ']' in an array");
            }
        }
    }

    private String string() {
        i++;
        StringBuilder b = null;
        int start = i;
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i);
            if (c == '"') {
                String out = b == null ? s.substring(start, i) : b.append(s, start, i).toString();
                i++;
                return out;
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c == '\\') {
                if (b == null) {
                    b = new StringBuilder();
                }
                b.append(s, start, i);
                i++;
                if (i >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (i + 4 > s.length()) {
                            throw error("short \\u escape");
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        i += 4;
                    }
                    default -> {
                        i--;
                        throw error("bad escape '\\" + e + "'");
                    }
                }
                start = i;
            } else {
                i++;
            }
        }
    }

    private Object number() {
        int start = i;
        if (peek() == '-') {
            i++;
        }
        if (peek() == '0') {
            i++;
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9') {
                i++;
            }
        } else {
            throw error("bad number");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            i++;
            if (!(peek() >= '0' && peek() <= '9')) {
                throw error("bad number: digits must follow '.'");
            }
            while (peek() >= '0' && peek() <= '9') {
                i++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            i++;
            if (peek() == '+' || peek() == '-') {
                i++;
            }
            if (!(peek() >= '0' && peek() <= '9')) {
                throw error("bad number: digits must follow the exponent");
            }
            while (peek() >= '0' && peek() <= '9') {
                i++;
            }
        }
        String text = s.substring(start, i);
        if (integral) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                i = start;
                throw error("integer " + text + " does not fit in 64 bits");
            }
        }
        return Double.parseDouble(text);
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, i)) {
            throw error("unexpected '" + s.charAt(i) + "'");
        }
        i += word.length();
        return v;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        i++;
    }

    /** The next character, or NUL at the end (never a valid token start, so errors say so). */
    private char peek() {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }

    private JsonException error(String problem) {
        return new JsonException(i + 1, problem);
    }

    /** Malformed JSON at a 1-based column. */
    public static final class JsonException extends RuntimeException {
        public final int column;

        JsonException(int column, String problem) {
            super(problem + " at column " + column);
            this.column = column;
        }
    }
}
