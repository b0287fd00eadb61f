package io.kvorum.server.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.kvorum.proto.internal.v1.CloseSession;
import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.internal.v1.ExpireSessions;
import io.kvorum.proto.internal.v1.ExpireTtlNodes;
import io.kvorum.proto.internal.v1.OpenSession;
import io.kvorum.proto.internal.v1.TouchSessions;
import io.kvorum.proto.internal.v1.TtlExpiry;
import io.kvorum.proto.v1.CreateMode;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.RequestHeader;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.Stat;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.storage.NodeStore;
import io.kvorum.server.storage.StateReader;
import io.kvorum.server.storage.StateWriter;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives a {@link CoordinationState} over a real {@link NodeStore} the way the node does:
 * entries are persisted to the log first, then applied in one batch, then reported committed.
 * Commands carry a fixed clock unless a test sets {@link #now}.
 */
final class StateHarness implements AutoCloseable {
    private static final int LOG_CHUNK = 4096;

    final Path dir;
    final StateLimits limits;
    NodeStore store;
    CoordinationState state;
    long now = 1_000_000;
    /** Puts, deletes and range deletes the last batch of commands wrote. */
    int lastBatchWrites;
    private long lastIndex;
    private final UnaryOperator<StateReader> stateReads;

    StateHarness(Path dir) {
        this(dir, StateLimits.defaults());
    }

    StateHarness(Path dir, StateLimits limits) {
        this(dir, limits, UnaryOperator.identity());
    }

    /** {@code stateReads}: what the state reads the store through (a test may count the reads). */
    StateHarness(Path dir, StateLimits limits, UnaryOperator<StateReader> stateReads) {
        this.dir = dir;
        this.limits = limits;
        this.stateReads = stateReads;
        open();
    }

    private void open() {
        store = NodeStore.open(dir, "test", 1, ConfState.EMPTY);
        state = new CoordinationState(stateReads.apply(store), limits);
        lastIndex = store.appliedIndex();
    }

    /** Closes the store and opens it again with a new CoordinationState. */
    void reopen() {
        store.close();
        open();
    }

    /** The index the next command will get. */
    long nextIndex() {
        return lastIndex + 1;
    }

    // ---------------------------------------------------------------- applying

    CommandResult run(Command.Builder c) {
        return runRaw(withTime(c).build().toByteArray());
    }

    CommandResult runRaw(byte[] command) {
        return batchRaw(List.of(command)).get(0);
    }

    /** Applies all commands in one batch (one RocksDB WriteBatch), then reports it committed. */
    List<CommandResult> batch(Command.Builder... cs) {
        List<byte[]> raw = new ArrayList<>();
        for (Command.Builder c : cs) {
            raw.add(withTime(c).build().toByteArray());
        }
        return batchRaw(raw);
    }

    List<CommandResult> batchRaw(List<byte[]> commands) {
        return batchRaw(commands, () -> { });
    }

    /** Like {@link #run}, with {@code beforeWrite} run once the command is applied, before its batch is written. */
    CommandResult runWithin(Command.Builder c, Runnable beforeWrite) {
        return batchRaw(List.of(withTime(c).build().toByteArray()), beforeWrite).get(0);
    }

    private List<CommandResult> batchRaw(List<byte[]> commands, Runnable beforeWrite) {
        long first = lastIndex + 1;
        long last = lastIndex + commands.size();
        ensureLog(last);
        List<byte[]> results = new ArrayList<>();
        store.applyBatch(last, ConfState.EMPTY, b -> {
            CountingWriter w = new CountingWriter(b);
            for (int i = 0; i < commands.size(); i++) {
                results.add(state.apply(first + i, commands.get(i), w));
            }
            state.finishBatch(w);
            lastBatchWrites = w.writes;
            beforeWrite.run();
        });
        lastIndex = last;
        state.batchWritten(last);
        List<CommandResult> out = new ArrayList<>();
        for (byte[] r : results) {
            try {
                out.add(CommandResult.parseFrom(r));
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    /**
     * Changes the store under the state as an installed snapshot would (one batch at the next
     * index, written without the state machine), then tells the state it was restored.
     */
    void replaceUnderState(Consumer<StateWriter> writes) {
        long index = lastIndex + 1;
        ensureLog(index);
        store.applyBatch(index, ConfState.EMPTY, writes::accept);
        lastIndex = index;
        state.restored(index);
    }

    /** Counts the writes the state makes into a batch. */
    private static final class CountingWriter implements StateWriter {
        private final StateWriter to;
        int writes;

        CountingWriter(StateWriter to) {
            this.to = to;
        }

        @Override
        public StateWriter put(byte[] key, byte[] value) {
            writes++;
            to.put(key, value);
            return this;
        }

        @Override
        public StateWriter delete(byte[] key) {
            writes++;
            to.delete(key);
            return this;
        }

        @Override
        public StateWriter deleteRange(byte[] from, byte[] to) {
            writes++;
            this.to.deleteRange(from, to);
            return this;
        }
    }

    private Command.Builder withTime(Command.Builder c) {
        if (c.getTimeMillis() == 0) {
            c.setTimeMillis(now);
        }
        return c;
    }

    /** Entries must be in the log before they are applied: persist placeholders in chunks. */
    private void ensureLog(long index) {
        long stored = store.lastIndex();
        if (index <= stored) {
            return;
        }
        long to = Math.max(index, stored + LOG_CHUNK);
        List<Entry> ents = new ArrayList<>();
        for (long i = stored + 1; i <= to; i++) {
            ents.add(Entry.normal(1, i, new byte[] {1}));
        }
        store.persist(new Ready(null, null, ents, null, List.of(), List.of(), List.of(), List.of()));
    }

    // ---------------------------------------------------------------- commands

    static Command.Builder create(String path) {
        return create(path, "", CreateMode.PERSISTENT);
    }

    static Command.Builder create(String path, String data, CreateMode mode) {
        return Command.newBuilder().setCreate(CreateRequest.newBuilder().setPath(path).setData(bytes(data)).setMode(mode));
    }

    static Command.Builder ephemeral(String path, long session) {
        return Command.newBuilder().setCreate(CreateRequest.newBuilder().setPath(path)
                .setMode(CreateMode.EPHEMERAL).setSessionId(session));
    }

    static Command.Builder ttlNode(String path, long ttl) {
        return Command.newBuilder().setCreate(CreateRequest.newBuilder().setPath(path)
                .setMode(CreateMode.PERSISTENT_WITH_TTL).setTtlMillis(ttl));
    }

    static Command.Builder set(String path, String data, long expectedVersion) {
        return Command.newBuilder().setSet(SetRequest.newBuilder().setPath(path).setData(bytes(data))
                .setExpectedVersion(expectedVersion));
    }

    static Command.Builder delete(String path, long expectedVersion) {
        return Command.newBuilder().setDelete(DeleteRequest.newBuilder().setPath(path).setExpectedVersion(expectedVersion));
    }

    static Command.Builder multi(Op... ops) {
        return Command.newBuilder().setMulti(MultiRequest.newBuilder().addAllOps(Arrays.asList(ops)));
    }

    static Command.Builder openSession(long ttl) {
        return Command.newBuilder().setOpenSession(OpenSession.newBuilder().setTtlMillis(ttl));
    }

    static Command.Builder closeSession(long id) {
        return Command.newBuilder().setCloseSession(CloseSession.newBuilder().setSessionId(id));
    }

    static Command.Builder expireSessions(Long... ids) {
        return Command.newBuilder().setExpireSessions(ExpireSessions.newBuilder().addAllSessionIds(Arrays.asList(ids)));
    }

    static Command.Builder touch(Long... ids) {
        return Command.newBuilder().setTouchSessions(TouchSessions.newBuilder().addAllSessionIds(Arrays.asList(ids)));
    }

    static Command.Builder expireTtl(String path, long modRevision) {
        return Command.newBuilder().setExpireTtlNodes(ExpireTtlNodes.newBuilder()
                .addNodes(TtlExpiry.newBuilder().setPath(path).setModRevision(modRevision)));
    }

    static Command.Builder withClient(Command.Builder c, String client, long seq, long lowestUnanswered) {
        return c.setHeader(RequestHeader.newBuilder().setClientId(client).setSequence(seq)
                .setLowestUnansweredSequence(lowestUnanswered));
    }

    static ByteString bytes(String s) {
        return ByteString.copyFromUtf8(s);
    }

    // ---------------------------------------------------------------- shortcuts

    /** Runs a command that must succeed. */
    CommandResult ok(Command.Builder c) {
        CommandResult r = run(c);
        assertTrue(!r.hasError(), () -> "expected success, got " + r.getError());
        return r;
    }

    /** Runs a command that must fail with {@code reason}; returns the error's result. */
    CommandResult fails(ErrorReason reason, Command.Builder c) {
        CommandResult r = run(c);
        assertTrue(r.hasError(), () -> "expected " + reason + ", got " + r);
        assertEquals(reason, r.getError().getReason(), () -> r.getError().getMessage());
        return r;
    }

    long openSessionId(long ttl) {
        return ok(openSession(ttl)).getOpenSession().getSessionId();
    }

    Stat stat(String path) {
        return state.get(path).orElseThrow(() -> new AssertionError("no node " + path)).stat();
    }

    String data(String path) {
        return new String(state.get(path).orElseThrow().data(), StandardCharsets.UTF_8);
    }

    boolean exists(String path) {
        return state.get(path).isPresent();
    }

    /** Every state key and value, for byte-for-byte comparisons. */
    TreeMap<String, String> dump() {
        TreeMap<String, String> out = new TreeMap<>();
        store.forEachInRange(null, null, Integer.MAX_VALUE, (k, v) -> out.put(hex(k), hex(v)));
        return out;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        store.close();
    }
}
