package io.kvorum.cli.command;

import io.kvorum.cli.output.Json;
import java.util.Base64;

/** Node data on one line of text: UTF-8 with line breaks and backslashes escaped, else base64. */
final class TextData {
    private TextData() {
    }

    static String escape(byte[] data) {
        String s = Json.utf8OrNull(data);
        if (s == null) {
            return "base64:" + Base64.getEncoder().encodeToString(data);
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
