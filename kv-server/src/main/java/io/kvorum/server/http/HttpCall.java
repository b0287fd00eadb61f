package io.kvorum.server.http;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.RequestHeader;
import io.kvorum.server.api.ApiError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One HTTP request being served: its decoded path and query, its body (read within the size
 * limit), and the ways to answer it. Every malformed piece of input becomes an
 * {@link HttpProblem} naming it, never a 500.
 */
final class HttpCall {
    static final String JSON = "application/json; charset=utf-8";
    /** Longest a handler waits for an API future: they carry their own, shorter deadlines. */
    private static final long MAX_AWAIT_SECONDS = 120;
    /** A refused body is read and dropped up to this size; a larger one costs the client its connection. */
    static final long MAX_DRAIN_BYTES = 64L << 20;
    /** Longest Idempotency-Key taken (the dedupe table stores it as a client id). */
    static final int MAX_IDEMPOTENCY_KEY_CHARS = 255;
    /** Client id of a write carrying an Idempotency-Key: this prefix and the key. */
    static final String IDEMPOTENCY_CLIENT_PREFIX = "idempotency-key:";

    final HttpExchange exchange;
    private final Router.Match match;
    private final Map<String, String> query;
    private final int maxBodyBytes;
    private final Function<Throwable, ApiError> describe;
    private boolean answered;

    HttpCall(HttpExchange exchange, Router.Match match, int maxBodyBytes, Function<Throwable, ApiError> describe) {
        this.exchange = exchange;
        this.match = match;
        this.maxBodyBytes = maxBodyBytes;
        this.describe = describe;
        this.query = parseQuery(exchange.getRequestURI().getRawQuery());
        for (String name : query.keySet()) {
            if (!match.route().params().contains(name)) {
                throw HttpProblem.invalid("unknown query parameter " + quote(name) + " for "
                        + match.route().method() + " " + match.route().template() + "; known: "
                        + String.join(", ", new java.util.TreeSet<>(match.route().params())));
            }
        }
    }

    // ------------------------------------------------------------------ request

    /** The node path named by a {@code {path}} route: "/" + the decoded rest of the URL path. */
    String nodePath() {
        String raw = match.pathParams().get("path");
        return raw == null ? null : "/" + decode(raw, false, "path");
    }

    /** A one-segment path parameter, decoded. */
    String pathParam(String name) {
        return decode(match.pathParams().get(name), false, name);
    }

    /** A path parameter that must be a positive number. */
    long pathLong(String name) {
        String v = pathParam(name);
        try {
            long n = Long.parseLong(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the error below
        }
        throw HttpProblem.invalid(name + " in the URL must be a positive integer, got " + quote(v));
    }

    String query(String name) {
        return query.get(name);
    }

    boolean has(String name) {
        return query.containsKey(name);
    }

    /** A flag: absent is false; {@code ?name}, {@code ?name=true} true; {@code ?name=false} false. */
    boolean flag(String name) {
        String v = query.get(name);
        if (v == null) {
            return false;
        }
        if (v.isEmpty() || v.equals("true")) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw HttpProblem.invalid("query parameter " + name + " must be true or false, got " + quote(v));
    }

    long queryLong(String name, long absent) {
        String v = query.get(name);
        if (v == null) {
            return absent;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw HttpProblem.invalid("query parameter " + name + " must be an integer, got " + quote(v));
        }
    }

    /** A duration such as 500ms, 30s, 5m, 1h. */
    Duration queryDuration(String name, Duration absent) {
        String v = query.get(name);
        return v == null ? absent : Durations.parse(v, "query parameter " + name);
    }

    String header(String name) {
        return exchange.getRequestHeaders().getFirst(name);
    }

    /**
     * The exactly-once header of a write, from the request's headers: {@code Idempotency-Key: K}
     * (the write is client {@code idempotency-key:K}, sequence 1: retried with the same key, it
     * is answered as the first time and applied once), or {@code X-Kvorum-Client-Id} with
     * {@code X-Kvorum-Sequence} (and optionally {@code X-Kvorum-Lowest-Unanswered}), the gRPC
     * clients' own numbering; neither: no deduplication.
     */
    RequestHeader writeHeader() {
        String key = header("Idempotency-Key");
        String client = header("X-Kvorum-Client-Id");
        String sequence = header("X-Kvorum-Sequence");
        String lowest = header("X-Kvorum-Lowest-Unanswered");
        if (key != null) {
            if (client != null || sequence != null || lowest != null) {
                throw HttpProblem.invalid("give Idempotency-Key, or X-Kvorum-Client-Id with X-Kvorum-Sequence, "
                        + "not both");
            }
            if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_CHARS) {
                throw HttpProblem.invalid("header Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY_CHARS
                        + " characters, got " + key.length());
            }
            return RequestHeader.newBuilder().setClientId(IDEMPOTENCY_CLIENT_PREFIX + key).setSequence(1).build();
        }
        if (client == null) {
            if (sequence != null || lowest != null) {
                throw HttpProblem.invalid("header X-Kvorum-Sequence needs X-Kvorum-Client-Id");
            }
            return RequestHeader.getDefaultInstance();
        }
        if (sequence == null) {
            throw HttpProblem.invalid("header X-Kvorum-Client-Id needs X-Kvorum-Sequence: this write's number, "
                    + "increasing, the same when retried");
        }
        return RequestHeader.newBuilder().setClientId(client).setSequence(headerNumber("X-Kvorum-Sequence", sequence))
                .setLowestUnansweredSequence(lowest == null ? 0 : headerNumber("X-Kvorum-Lowest-Unanswered", lowest))
                .build();
    }

    private static long headerNumber(String name, String value) {
        try {
            long n = Long.parseLong(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the error below
        }
        throw HttpProblem.invalid("header " + name + " must be a positive integer, got " + quote(value));
    }

    /** Whether the body is JSON (Content-Type application/json), not raw bytes. */
    boolean jsonBody() {
        String type = header("Content-Type");
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    /** The request body, at most {@code maxBodyBytes}; 413 TOO_LARGE beyond. */
    byte[] body() throws IOException {
        String length = header("Content-Length");
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw HttpProblem.invalid("Content-Length is not a number: " + quote(length));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try (InputStream in = exchange.getRequestBody()) {
            if (declared > maxBodyBytes) {
                drain(in, buf);
                throw tooLarge();
            }
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                if (out.size() > maxBodyBytes) {
                    drain(in, buf);
                    throw tooLarge();
                }
            }
        }
        return out.toByteArray();
    }

    /**
     * Reads and drops what is left of a refused body (up to {@value #MAX_DRAIN_BYTES}), so the
     * client, still sending, reads our 413 rather than a reset connection.
     */
    private static void drain(InputStream in, byte[] buf) throws IOException {
        long left = MAX_DRAIN_BYTES;
        int n;
        while (left > 0 && (n = in.read(buf)) > 0) {
            left -= n;
        }
    }

    private HttpProblem tooLarge() {
        return HttpProblem.tooLarge("request body is larger than " + maxBodyBytes
                + " bytes (the node's max-request-bytes)");
    }

    /** The body as a JSON object; 400 when it is not one. */
    JsonObject jsonObjectBody() throws IOException {
        return Json.parseObject(body(), "request body");
    }

    /** The value of an API future; its failure becomes the API's error. */
    <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(MAX_AWAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new HttpProblem(describe.apply(e.getCause()));
        } catch (TimeoutException e) {
            throw new HttpProblem(describe.apply(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpProblem(describe.apply(new java.util.concurrent.CancellationException("server stopping")));
        }
    }

    // ------------------------------------------------------------------ response

    void setHeader(String name, String value) {
        exchange.getResponseHeaders().set(name, value);
    }

    void respond(int status, JsonObject body) throws IOException {
        respond(status, JSON, Json.bytes(body));
    }

    void respond(int status, String contentType, byte[] body) throws IOException {
        answered = true;
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (exchange.getRequestMethod().equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** Starts a streamed response (Server-Sent Events): its body is written as it comes. */
    OutputStream stream(String contentType) throws IOException {
        answered = true;
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    boolean answered() {
        return answered;
    }

    /** Answers with {@code problem}'s status and the JSON error body (and Retry-After where it fits). */
    static void fail(HttpExchange exchange, HttpProblem problem) throws IOException {
        long retry = HttpStatuses.retryAfterSeconds(problem.error, problem.status);
        if (retry > 0) {
            exchange.getResponseHeaders().set("Retry-After", Long.toString(retry));
        }
        if (problem.status == 401) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"kvorum\", Basic realm=\"kvorum\"");
        }
        String allow = problem.error.metadata().get("allow");
        if (problem.status == 405 && allow != null) {
            exchange.getResponseHeaders().set("Allow", allow);
        }
        byte[] body = Json.bytes(Json.error(problem.error));
        exchange.getResponseHeaders().set("Content-Type", JSON);
        exchange.sendResponseHeaders(problem.status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    // ------------------------------------------------------------------ decoding

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), true, "query parameter name");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true, "query parameter " + name);
            if (out.put(name, value) != null) {
                throw HttpProblem.invalid("query parameter " + quote(name) + " is given twice");
            }
        }
        return out;
    }

    /** Strict percent-decoding to UTF-8 ({@code +} is a space only in the query). */
    static String decode(String raw, boolean plusIsSpace, String what) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw problemIn(what, "has a malformed percent-escape at character " + i + ": " + quote(raw));
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw problemIn(what, "is not UTF-8 once percent-decoded: " + quote(raw));
        }
    }

    private static HttpProblem problemIn(String what, String message) {
        return HttpProblem.badRequest(what.equals("path") ? ErrorReason.INVALID_PATH : ErrorReason.INVALID_DATA,
                what + " " + message);
    }

    static String quote(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return "\"" + t + "\"";
    }
}
