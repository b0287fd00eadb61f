package io.kvorum.server.state;

import com.google.protobuf.ByteString;
import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.RequestHeader;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.server.raft.ConfState;
import io.kvorum.server.raft.Entry;
import io.kvorum.server.raft.Ready;
import io.kvorum.server.storage.NodeStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Apply throughput of the state machine alone (one node's apply thread over RocksDB, no Raft,
 * no network): creates then sets of 256-byte values over 10,000 keys, each write with a client
 * id and sequence as kv-client sends them (three clients, 85 writes in flight each), applied in
 * batches like the node does. Prints commands/s and the process's CPU per command (the apply
 * thread's and RocksDB's flushes and compactions). Not a test:
 * <pre>mvn -q -pl kv-server -am test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.kvorum.server.state.StateApplyBenchmark -Dexec.args="64 300000"</pre>
 * Arguments: commands per batch (default 64), set commands (default 300,000).
 */
public final class StateApplyBenchmark {
    /** Clients writing, each with its own sequences, as kv-client with one connection per node. */
    private static final int CLIENTS = 3;
    /** Writes each client has unanswered: a client's answers are forgotten this far behind. */
    private static final int IN_FLIGHT_PER_CLIENT = 85;

    public static void main(String[] args) throws Exception {
        int batchSize = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int sets = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
        Path dir = Files.createTempDirectory("kvorum-state-bench");
        byte[] value = new byte[256];
        Arrays.fill(value, (byte) 'x');
        ByteString data = ByteString.copyFrom(value);
        try (NodeStore store = NodeStore.open(dir, "bench", 1, ConfState.EMPTY)) {
            CoordinationState state = new CoordinationState(store, StateLimits.defaults());
            long[] index = {0};
            List<byte[]> cmds = new ArrayList<>();
            cmds.add(Command.newBuilder().setTimeMillis(1).setCreate(CreateRequest.newBuilder().setPath("/k")).build()
                    .toByteArray());
            for (int i = 0; i < 10_000; i++) {
                cmds.add(Command.newBuilder().setTimeMillis(1).setHeader(header(i % CLIENTS, i / CLIENTS))
                        .setCreate(CreateRequest.newBuilder().setPath("/k/" + i).setData(data)).build().toByteArray());
            }
            run(store, state, index, cmds, batchSize, "create");
            cmds.clear();
            for (int i = 0; i < sets; i++) {
                cmds.add(Command.newBuilder().setTimeMillis(2).setHeader(header(i % CLIENTS, 10_000 + i / CLIENTS))
                        .setSet(SetRequest.newBuilder().setPath("/k/" + (i * 7919L % 10_000)).setData(data)
                                .setExpectedVersion(-1)).build().toByteArray());
            }
            run(store, state, index, cmds, batchSize, "set");
            System.out.printf("revision %d%n", state.revision());
        }
    }

    private static RequestHeader header(int client, long seq) {
        return RequestHeader.newBuilder().setClientId("client-" + client).setSequence(seq)
                .setLowestUnansweredSequence(Math.max(0, seq - IN_FLIGHT_PER_CLIENT)).build();
    }

    private static void run(NodeStore store, CoordinationState state, long[] index, List<byte[]> cmds, int batchSize,
                            String what) {
        // The log is written up front: this measures applying, not the log's fsyncs.
        List<Entry> ents = new ArrayList<>(cmds.size());
        for (long x = index[0] + 1; x <= index[0] + cmds.size(); x++) {
            ents.add(Entry.normal(1, x, new byte[] {1}));
        }
        store.persist(new Ready(null, null, ents, null, List.of(), List.of(), List.of(), List.of()));
        long[] errors = {0};
        long start = System.nanoTime();
        long cpuStart = processCpuNanos();
        for (int i = 0; i < cmds.size(); i += batchSize) {
            List<byte[]> batch = cmds.subList(i, Math.min(cmds.size(), i + batchSize));
            long first = index[0] + 1;
            long last = index[0] + batch.size();
            store.applyBatch(last, ConfState.EMPTY, b -> {
                for (int j = 0; j < batch.size(); j++) {
                    byte[] r = state.apply(first + j, batch.get(j), b);
                    if (r.length > 0 && r[0] == (8 << 3 | 2)) { // CommandResult.error, field 8
                        errors[0]++;
                    }
                }
                state.finishBatch(b);
            });
            state.batchWritten(last);
            index[0] = last;
        }
        double secs = (System.nanoTime() - start) / 1e9;
        double cpuMicros = (processCpuNanos() - cpuStart) / 1e3;
        System.out.printf("%s: %d commands in %.2f s, %.0f commands/s (batches of %d), %d refused, %.1f µs of the"
                        + " process's CPU per command%n", what, cmds.size(), secs, cmds.size() / secs, batchSize, errors[0],
                cpuMicros / cmds.size());
    }

    /** CPU time of the whole process: the apply thread's and RocksDB's flushes and compactions. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
