package io.kvorum.server.http;

import io.kvorum.proto.v1.ErrorReason;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The HTTP API's routes: method, path template and the query parameters each accepts. A
 * template segment {@code {name}} matches one non-empty segment; a last segment
 * {@code {path}} matches the rest of the path, slashes included (the node path). The list is
 * what the OpenAPI document must describe, route for route.
 */
final class Router {
    /** Serves one matched request. */
    @FunctionalInterface
    interface Handler {
        void handle(HttpCall call) throws IOException;
    }

    record Route(String method, String template, Set<String> params, Handler handler) {
    }

    record Match(Route route, Map<String, String> pathParams) {
    }

    private final List<Route> routes = new ArrayList<>();

    void add(String method, String template, Set<String> params, Handler handler) {
        routes.add(new Route(method, template, Set.copyOf(params), handler));
    }

    List<Route> routes() {
        return List.copyOf(routes);
    }

    /** The route for {@code method} and {@code rawPath}; 404 when no template matches, 405 when only other methods do. */
    Match match(String method, String rawPath) {
        Set<String> allowed = new TreeSet<>();
        for (Route r : routes) {
            Map<String, String> params = matchTemplate(r.template(), rawPath);
            if (params == null) {
                continue;
            }
            if (r.method().equals(method)) {
                return new Match(r, params);
            }
            allowed.add(r.method());
        }
        if (allowed.isEmpty()) {
            throw new HttpProblem(404, "NOT_FOUND", ErrorReason.ERROR_REASON_UNSPECIFIED, "no endpoint "
                    + rawPath + ": the API's paths start with /v1/ (see docs/http-api.yaml)", Map.of());
        }
        throw new HttpProblem(405, "INVALID_ARGUMENT", ErrorReason.ERROR_REASON_UNSPECIFIED, method + " is not "
                + "served on " + rawPath + "; allowed: " + String.join(", ", allowed),
                Map.of("allow", String.join(", ", allowed)));
    }

    /** The template's parameters in {@code raw} (still percent-encoded), or null when it does not match. */
    static Map<String, String> matchTemplate(String template, String raw) {
        if (!raw.startsWith("/")) {
            return null;
        }
        String[] segments = template.substring(1).split("/");
        Map<String, String> params = new HashMap<>();
        int pos = 1;
        for (String seg : segments) {
            if (seg.equals("{path}")) {
                params.put("path", pos <= raw.length() ? raw.substring(pos) : "");
                return params;
            }
            if (pos > raw.length()) {
                return null;
            }
            int end = raw.indexOf('/', pos);
            if (end < 0) {
                end = raw.length();
            }
            String part = raw.substring(pos, end);
            if (seg.startsWith("{")) {
                if (part.isEmpty()) {
                    return null;
                }
                params.put(seg.substring(1, seg.length() - 1), part);
            } else if (!seg.equals(part)) {
                return null;
            }
            pos = end + 1;
        }
        return pos == raw.length() + 1 ? params : null;
    }
}
