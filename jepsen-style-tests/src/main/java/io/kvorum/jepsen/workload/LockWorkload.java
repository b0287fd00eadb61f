package io.kvorum.jepsen.workload;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.SessionExpiredException;
import io.kvorum.client.recipes.DistributedLock;
import io.kvorum.jepsen.run.Call;
import io.kvorum.jepsen.run.Outcomes;
import io.kvorum.jepsen.run.ProcessSlot;
import io.kvorum.jepsen.run.RunContext;
import java.time.Duration;
import java.util.Random;

/**
 * kv-client's {@link DistributedLock} with fencing tokens. Every client (its own KvorumClient,
 * so its own session) loops: acquire (ok value: the fencing token), hold for a moment, release.
 *
 * <p>The release is what proves a critical section: it deletes the holder's own contender node
 * directly, and only a delete that succeeds is recorded ok. The node existed from before the
 * acquire returned until the delete, and nobody can hold the lock while it exists, so an ok
 * release confirms the whole section. A release finding the node gone (the session expired
 * under the holder) is recorded fail: that section may have ended early, and the checker then
 * judges only its token.
 *
 * <p>After an acquire that got no token, or an indeterminate release, the client is closed
 * (ending its session frees any contender node it left) and a new one takes its place; after
 * an indeterminate operation the thread also goes on as a new process.
 */
public final class LockWorkload extends LoopingWorkload {
    static final String LOCK = "l0";
    static final String PATH = "/jepsen/lock/" + LOCK;

    private final Duration acquireTimeout;

    public LockWorkload(Duration meanDelay, Duration acquireTimeout) {
        super("lock", PATH, meanDelay);
        this.acquireTimeout = acquireTimeout;
    }

    public LockWorkload() {
        this(Duration.ofMillis(100), Duration.ofSeconds(10));
    }

    @Override
    KvorumClient operate(RunContext ctx, ProcessSlot slot, Random random, KvorumClient client) {
        DistributedLock lock = new DistributedLock(client, PATH);
        Long token = acquire(ctx, slot, lock);
        if (token == null) {
            // Withdrawing deletes our contender node, but if that delete failed the node would
            // sit in the queue for as long as our session lives: a new client ends it.
            return replace(ctx, client);
        }
        // The critical section: held for a moment whatever the run is doing.
        RunContext.sleep(Duration.ofMillis(20 + random.nextInt(200)));
        return release(ctx, slot, client, lock, token) ? client : replace(ctx, client);
    }

    /** The fencing token, or null when not acquired. */
    private Long acquire(RunContext ctx, ProcessSlot slot, DistributedLock lock) {
        Call c = ctx.invoke(slot, "acquire", LOCK, null);
        try {
            if (lock.acquire(acquireTimeout)) {
                long token = lock.fencingToken();
                c.ok(token);
                return token;
            }
            c.fail(null, "not acquired within " + acquireTimeout.toMillis() + " ms; withdrew");
        } catch (SessionExpiredException e) {
            c.fail(null, Outcomes.describe(e)); // the session ended while waiting: never held
        } catch (RuntimeException e) {
            c.info(null, Outcomes.describe(e)); // the queue could not be entered or read: unknown
        }
        return null;
    }

    /** Whether the outcome is known (ok or fail); false after info. */
    private static boolean release(RunContext ctx, ProcessSlot slot, KvorumClient client, DistributedLock lock,
                                   long token) {
        String node = lock.nodePath();
        Call c = ctx.invoke(slot, "release", LOCK, token);
        try {
            client.delete(node);
            c.ok(token);
            return true;
        } catch (NoNodeException gone) {
            c.fail(token, "contender node already gone: the session ended while holding");
            return true;
        } catch (RuntimeException e) {
            boolean known = Outcomes.certainlyNotApplied(e);
            c.failed(token, e);
            return known;
        } finally {
            lock.release(); // forget the hold; deleting a node that is gone is ignored
        }
    }

    private static KvorumClient replace(RunContext ctx, KvorumClient old) {
        ctx.clients().closeLater(old); // ends its session: a contender node left behind goes with it
        return ctx.clients().open();
    }

    @Override
    public void finish(RunContext ctx) {
        // Nothing: the checker judges the sections and tokens.
    }
}
