package io.kvorum.jepsen.workload;

import io.kvorum.client.KvorumClient;
import io.kvorum.client.NoNodeException;
import io.kvorum.client.NodeData;
import io.kvorum.client.NodeExistsException;
import io.kvorum.jepsen.run.Call;
import io.kvorum.jepsen.run.Outcomes;
import io.kvorum.jepsen.run.ProcessSlot;
import io.kvorum.jepsen.run.RunContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Linearizable registers: each key is a node {@code /jepsen/register/k<N>} whose data is an
 * integer, initially absent. Clients read (linearizable get), write (set, or create when
 * absent) and compare-and-set. A cas reads the node and, when it holds the expected value,
 * sets the new one with the version it read as the expected version: the set succeeds only if
 * nothing wrote in between, so it happens atomically at the set; a cas expecting absence is a
 * create. Values come from a small range so that cas often succeeds and reads are ambiguous
 * enough to make stale reads show.
 */
public final class RegisterWorkload extends LoopingWorkload {
    static final String ROOT = "/jepsen/register";
    private static final int VALUES = 5;

    private final String root;
    private final int keys;

    /** Registers {@code root/k0 .. root/k<keys-1>}; each client waits about {@code meanDelay} between operations. */
    public RegisterWorkload(String root, int keys, Duration meanDelay) {
        super("register", root, meanDelay);
        this.root = root;
        this.keys = keys;
    }

    public RegisterWorkload(int keys, Duration meanDelay) {
        this(ROOT, keys, meanDelay);
    }

    public RegisterWorkload() {
        this(5, Duration.ofMillis(40));
    }

    @Override
    KvorumClient operate(RunContext ctx, ProcessSlot slot, Random random, KvorumClient client) {
        String key = "k" + random.nextInt(keys);
        int dice = random.nextInt(10);
        if (dice < 4) {
            read(ctx, slot, client, key);
        } else if (dice < 7) {
            write(ctx, slot, client, key, random.nextInt(VALUES));
        } else {
            Long expected = random.nextInt(10) == 0 ? null : (long) random.nextInt(VALUES);
            cas(ctx, slot, client, key, expected, random.nextInt(VALUES));
        }
        return client;
    }

    private void read(RunContext ctx, ProcessSlot slot, KvorumClient client, String key) {
        Call c = ctx.invoke(slot, "read", key, null);
        try {
            c.ok(Data.value(client.get(root + "/" + key).data()));
        } catch (NoNodeException absent) {
            c.ok(null);
        } catch (RuntimeException e) {
            c.fail(null, Outcomes.describe(e)); // a read changes nothing: failing it is always true
        }
    }

    private void write(RunContext ctx, ProcessSlot slot, KvorumClient client, String key, long v) {
        Call c = ctx.invoke(slot, "write", key, v);
        try {
            Data.upsert(client, root + "/" + key, v);
            c.ok(v);
        } catch (RuntimeException e) {
            c.failed(v, e);
        }
    }

    private void cas(RunContext ctx, ProcessSlot slot, KvorumClient client, String key, Long expected, long v) {
        String path = root + "/" + key;
        List<Long> value = Arrays.asList(expected, v);
        Call c = ctx.invoke(slot, "cas", key, value);
        if (expected == null) {
            try {
                client.create(path, Data.bytes(v));
                c.ok(value);
            } catch (NodeExistsException present) {
                c.fail(value, "present");
            } catch (RuntimeException e) {
                c.failed(value, e);
            }
            return;
        }
        NodeData d;
        try {
            d = client.get(path);
        } catch (NoNodeException absent) {
            c.fail(value, "absent");
            return;
        } catch (RuntimeException e) {
            c.fail(value, "read failed, nothing written: " + Outcomes.describe(e));
            return;
        }
        long current = Data.value(d.data());
        if (current != expected) {
            c.fail(value, "value is " + current);
            return;
        }
        try {
            client.set(path, Data.bytes(v), d.stat().version());
            c.ok(value);
        } catch (RuntimeException e) {
            c.failed(value, e); // BadVersion: someone wrote since the read, nothing applied
        }
    }

    /** One read of every key on the healed cluster: a write lost in a crash shows here at the latest. */
    @Override
    public void finish(RunContext ctx) {
        FinalRead finals = new FinalRead();
        KvorumClient client = ctx.clients().open();
        ProcessSlot slot = ctx.slot();
        for (int k = 0; k < keys; k++) {
            String key = "k" + k;
            Call c = ctx.invoke(slot, "read", key, null);
            try {
                c.ok(finals.retry(() -> {
                    try {
                        return Data.value(client.get(root + "/" + key).data());
                    } catch (NoNodeException absent) {
                        return null;
                    }
                }));
            } catch (RuntimeException e) {
                c.fail(null, Outcomes.describe(e));
            }
        }
    }
}
