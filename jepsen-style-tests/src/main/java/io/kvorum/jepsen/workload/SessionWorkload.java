package io.kvorum.jepsen.workload;

import io.kvorum.client.CreateMode;
import io.kvorum.client.KvorumClient;
import io.kvorum.client.NodeExistsException;
import io.kvorum.client.RequestOptions;
import io.kvorum.client.Session;
import io.kvorum.jepsen.run.Call;
import io.kvorum.jepsen.run.Outcomes;
import io.kvorum.jepsen.run.ProcessSlot;
import io.kvorum.jepsen.run.RunContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Sessions and their ephemeral nodes. Each client thread, over and over: opens a session with
 * a short TTL (on a client of its own, whose keep-alives a {@link SessionTap} records), creates
 * one or two ephemerals {@code /jepsen/session/s<session>-<n>}, checks for a while that they
 * exist, then either closes the session or abandons it (cuts its client off, as if the client
 * machine died, so only expiry can end it) and keeps checking, with another client, until
 * they are gone or well past the time they had to be. Ephemerals must not vanish while their
 * session is certainly alive, nor outlive it.
 */
public final class SessionWorkload extends LoopingWorkload {
    static final String ROOT = "/jepsen/session";
    private static final Duration CHECK_EVERY = Duration.ofMillis(300);

    private final Duration ttl;
    private final Duration grace;

    /** @param grace how long past its TTL an abandoned session is watched (the checker allows 5 s) */
    public SessionWorkload(Duration ttl, Duration grace) {
        super("session", ROOT, Duration.ofMillis(200));
        this.ttl = ttl;
        this.grace = grace;
    }

    public SessionWorkload() {
        this(Duration.ofSeconds(3), Duration.ofSeconds(8));
    }

    @Override
    KvorumClient operate(RunContext ctx, ProcessSlot slot, Random random, KvorumClient reader) {
        lifetime(ctx, random, slot, reader);
        return reader;
    }

    /** One session from open to gone. */
    private void lifetime(RunContext ctx, Random random, ProcessSlot slot, KvorumClient reader) {
        SessionTap tap = new SessionTap(ctx);
        KvorumClient client = ctx.clients().open(tap.channels());
        try {
            Call open = ctx.invoke(slot, "open", null, ttl.toMillis());
            Session session;
            try {
                session = client.openSession(ttl);
                open.ok(List.of(session.id(), session.ttl().toMillis()));
            } catch (RuntimeException e) {
                open.failed(null, e);
                return;
            }
            long id = session.id();
            List<String> created = new ArrayList<>();
            int ephemerals = 1 + random.nextInt(2);
            for (int n = 0; n < ephemerals; n++) {
                String path = ROOT + "/s" + id + "-" + n;
                Call c = ctx.invoke(slot, "create", path, id);
                try {
                    client.create(path, new byte[0], CreateMode.EPHEMERAL, RequestOptions.session(session));
                    c.ok(id);
                    created.add(path);
                } catch (NodeExistsException e) {
                    c.info(id, Outcomes.describe(e)); // only an earlier attempt of this create can have made it
                } catch (RuntimeException e) {
                    c.failed(id, e);
                }
            }
            // Alive: the client keeps the session going by itself.
            long until = System.nanoTime() + Duration.ofMillis(1000 + random.nextInt(4000)).toNanos();
            while (System.nanoTime() < until && ctx.running() && !session.state().isTerminal()) {
                check(ctx, slot, reader, created);
                ctx.pause(random, CHECK_EVERY);
            }
            if (session.state().isTerminal()) {
                // The cluster said it expired: nothing to end.
            } else if (ctx.running() && random.nextBoolean()) {
                tap.sever(); // abandoned: no close, no more keep-alives; only expiry ends it now
            } else {
                Call close = ctx.invoke(slot, "close", null, id);
                session.close();
                if (tap.closeConfirmed(id)) {
                    close.ok(id);
                } else {
                    close.info(id, "the close was not confirmed; the session expires after its TTL");
                }
            }
            // Gone: check until every ephemeral vanished, or well past when it had to.
            long deadline = System.nanoTime() + ttl.plus(grace).toNanos();
            while (!created.isEmpty() && System.nanoTime() < deadline) {
                check(ctx, slot, reader, created);
                RunContext.sleep(CHECK_EVERY);
            }
        } finally {
            tap.sever(); // whatever is left of this client never reaches the cluster again
            ctx.clients().closeLater(client);
        }
    }

    /** Reads whether each path exists; paths seen absent are dropped from {@code paths} (they never return). */
    private static void check(RunContext ctx, ProcessSlot slot, KvorumClient reader, List<String> paths) {
        for (String path : List.copyOf(paths)) {
            Call c = ctx.invoke(slot, "exists", path, null);
            try {
                boolean there = reader.exists(path).isPresent();
                c.ok(there);
                if (!there) {
                    paths.remove(path);
                }
            } catch (RuntimeException e) {
                c.fail(null, Outcomes.describe(e));
            }
        }
    }

    @Override
    public void finish(RunContext ctx) {
        // Nothing: each thread ends its last session (closing it when the run stops) and
        // watches its ephemerals go before it returns.
    }
}
