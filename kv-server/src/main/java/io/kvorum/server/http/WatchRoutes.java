package io.kvorum.server.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kvorum.proto.v1.Event;
import io.kvorum.proto.v1.WatchCreate;
import io.kvorum.proto.v1.WatchRequest;
import io.kvorum.proto.v1.WatchResponse;
import io.kvorum.server.api.ApiError;
import io.kvorum.server.api.ClientCalls;
import io.kvorum.server.api.LocalWatch;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /v1/watch/{path}}: a stream of Server-Sent Events from the gRPC Watch service's
 * own watch, so events arrive in revision order, each exactly once, from {@code ?revision=N}
 * on (events after N; a reconnecting EventSource sends {@code Last-Event-ID}, which means the
 * same). Events: {@code created} (the watch is set, with the current revision), {@code events}
 * (one or more revisions; the SSE id is the last revision in it), {@code progress} (nothing
 * changed up to a revision), {@code canceled} (the watch ended: too slow a reader, a compacted
 * revision; the data is the JSON error) after which the stream ends.
 *
 * <p>Flow control: the stream sends only while fewer than {@value #ROOM} responses wait to be
 * written here, so a client that stops reading ends up cancelled with WATCHER_TOO_SLOW.
 */
final class WatchRoutes {
    static final int ROOM = 16;
    private static final long CREATE_TIMEOUT_SECONDS = 10;

    private final ClientCalls calls;
    private final ChangeWaiter waiter;
    private final BooleanSupplier stopping;

    WatchRoutes(ClientCalls calls, ChangeWaiter waiter, BooleanSupplier stopping) {
        this.calls = calls;
        this.waiter = waiter;
        this.stopping = stopping;
    }

    void register(Router router) {
        router.add("GET", "/v1/watch/{path}", Set.of("revision", "recursive"), this::watch);
    }

    private void watch(HttpCall c) throws IOException {
        String path = c.nodePath();
        boolean recursive = c.flag("recursive");
        long after = startAfter(c);
        waiter.acquire();
        BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        LocalWatch watch = calls.watch(new LocalWatch.Sink() {
            @Override
            public boolean hasRoom() {
                return queue.size() < ROOM;
            }

            @Override
            public void onResponse(WatchResponse response) {
                queue.add(response);
            }

            @Override
            public void onError(ApiError error) {
                queue.add(error);
            }
        });
        try {
            watch.send(WatchRequest.newBuilder().setCreate(WatchCreate.newBuilder().setWatchId(1).setPath(path)
                    .setRecursive(recursive).setStartRevision(after < 0 ? 0 : after + 1)).build());
            // Until the watch is set, a refusal is still an HTTP status.
            WatchResponse created = asResponse(queue.poll(CREATE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
            if (created.getCanceled()) {
                throw new HttpProblem(canceled(created));
            }
            OutputStream out = c.stream("text/event-stream; charset=utf-8");
            JsonObject first = new JsonObject();
            first.addProperty("revision", created.getHeader().getRevision());
            send(out, "created", null, first);
            while (!stopping.getAsBoolean()) {
                Object next = queue.poll(250, TimeUnit.MILLISECONDS);
                if (next == null) {
                    continue;
                }
                if (next instanceof ApiError e) {
                    send(out, "canceled", null, Json.error(e));
                    return;
                }
                WatchResponse r = (WatchResponse) next;
                if (r.getCanceled()) {
                    send(out, "canceled", null, Json.error(canceled(r)));
                    return;
                }
                if (r.getProgress()) {
                    JsonObject p = new JsonObject();
                    p.addProperty("revision", r.getHeader().getRevision());
                    send(out, "progress", null, p);
                } else if (r.getEventsCount() > 0) {
                    JsonArray events = new JsonArray();
                    for (Event e : r.getEventsList()) {
                        events.add(Json.event(e));
                    }
                    JsonObject o = new JsonObject();
                    o.add("events", events);
                    long last = r.getEvents(r.getEventsCount() - 1).getRevision();
                    o.addProperty("revision", last);
                    send(out, "events", Long.toString(last), o);
                }
                watch.ready();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watch.close();
            waiter.release();
        }
    }

    /** Events after this revision: {@code ?revision}, else {@code Last-Event-ID}, else -1 (from now). */
    private static long startAfter(HttpCall c) {
        if (c.has("revision")) {
            long n = c.queryLong("revision", 0);
            if (n < 0) {
                throw HttpProblem.invalid("query parameter revision must be at least 0, got " + n);
            }
            return n;
        }
        String last = c.header("Last-Event-ID");
        if (last == null || last.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(last.trim());
        } catch (NumberFormatException e) {
            throw HttpProblem.invalid("Last-Event-ID must be a revision this stream sent as an event id, got "
                    + HttpCall.quote(last));
        }
    }

    private WatchResponse asResponse(Object o) {
        if (o == null) {
            throw new HttpProblem(calls.describe(new java.util.concurrent.TimeoutException()));
        }
        if (o instanceof ApiError e) {
            throw new HttpProblem(e);
        }
        return (WatchResponse) o;
    }

    private static ApiError canceled(WatchResponse r) {
        Map<String, String> meta = new HashMap<>();
        if (r.getCompactRevision() > 0) {
            meta.put("compact_revision", Long.toString(r.getCompactRevision()));
        }
        return ApiError.of(r.getCancelError(), r.getCancelReason(), meta);
    }

    private static void send(OutputStream out, String event, String id, JsonObject data) throws IOException {
        StringBuilder sb = new StringBuilder();
        if (id != null) {
            sb.append("id: ").append(id).append('\n');
        }
        sb.append("event: ").append(event).append('\n');
        sb.append("data: ").append(new String(Json.bytes(data), StandardCharsets.UTF_8)).append("\n\n");
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
