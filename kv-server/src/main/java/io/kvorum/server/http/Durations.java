package io.kvorum.server.http;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the HTTP API writes them: a whole number and a unit, ms, s, m or h (500ms, 30s, 5m). */
final class Durations {
    private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private Durations() {
    }

    static Duration parse(String text, String what) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw HttpProblem.invalid(what + " must be a duration such as 500ms, 30s, 5m or 1h, got "
                    + HttpCall.quote(text));
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
