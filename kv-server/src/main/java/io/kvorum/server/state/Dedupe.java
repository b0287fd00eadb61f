package io.kvorum.server.state;

import io.kvorum.proto.internal.v1.CommandError;
import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.server.storage.StateReader;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Exactly-once writes (Raft thesis §6.3; retries without it apply twice, etcd-io/etcd#14890):
 * the answer of every command that carries a client id is remembered under (client, sequence), so a retry returns the
 * first answer and applies nothing. Stored through the same batch as the state it answers for,
 * so a restart or a snapshot never separates the two.
 *
 * <p>Stored: {@code 'd' + client + sequence -> CommandResult} and, per client,
 * {@code 'c' + client -> lastUsedIndex(8) floor(8)}. Mirrored in memory (the sequences each
 * client has answers for, its floor, and the clients in least-recently-used order), so a
 * command that is not a retry costs no read.
 *
 * <p>Rules:
 * <ul>
 *   <li>{@code lowest_unanswered_sequence} L: the client has every answer below L; they are
 *       deleted and the client's floor rises to L.</li>
 *   <li>A sequence below the floor was answered and forgotten: it is refused
 *       (SESSION_EXPIRED), never applied a second time.</li>
 *   <li>At most {@link StateLimits#dedupePerClient()} answers per client: over that, the lowest
 *       sequence's answer is dropped and the floor rises above it.</li>
 *   <li>At most {@link StateLimits#dedupeClients()} clients: over that, the client whose last
 *       command has the lowest log index is forgotten entirely (the same one on every node).
 *       A retry from a forgotten client is applied again; that bound is the price of a finite
 *       table, as in etcd and the Raft thesis.</li>
 * </ul>
 */
final class Dedupe {
    /** Longest client id accepted, in UTF-8 bytes (the key stores its length in 2 bytes). */
    static final int MAX_CLIENT_ID_BYTES = 1024;

    private final StateLimits limits;
    private final Map<String, Client> clients = new HashMap<>();
    /** Clients by the log index of their last command: the first is the least recently used. */
    private final TreeMap<Long, Client> byLastUse = new TreeMap<>();

    Dedupe(StateLimits limits) {
        this.limits = limits;
    }

    private static final class Client {
        final String id;
        final byte[] answerPrefix;
        final byte[] recordKey;
        long lastUsed;
        long floor;
        /** Sequences with a stored answer, sorted (unsigned), in {@code seqs[0..n)}. */
        long[] seqs = new long[2];
        int n;

        Client(String id) {
            this.id = id;
            byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
            this.answerPrefix = Keys.clientPrefix(Keys.ANSWER, idBytes);
            this.recordKey = Keys.clientPrefix(Keys.CLIENT, idBytes);
        }

        int find(long seq) {
            int lo = 0;
            int hi = n - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int c = Long.compareUnsigned(seqs[mid], seq);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(lo + 1);
        }

        void insert(long seq) {
            int at = find(seq);
            if (at >= 0) {
                return;
            }
            at = -(at + 1);
            if (n == seqs.length) {
                seqs = Arrays.copyOf(seqs, n * 2);
            }
            System.arraycopy(seqs, at, seqs, at + 1, n - at);
            seqs[at] = seq;
            n++;
        }

        /** Drops the first {@code k} sequences. */
        void dropFirst(int k) {
            System.arraycopy(seqs, k, seqs, 0, n - k);
            n -= k;
        }
    }

    void load(StateReader store) {
        clients.clear();
        byLastUse.clear();
        store.forEachWithPrefix(Keys.prefix(Keys.CLIENT), Integer.MAX_VALUE, (k, v) -> {
            Client c = new Client(new String(Keys.clientIdOf(k), StandardCharsets.UTF_8));
            c.lastUsed = Keys.getLong(v, 0);
            c.floor = Keys.getLong(v, 8);
            clients.put(c.id, c);
            byLastUse.put(c.lastUsed, c);
        });
        store.forEachWithPrefix(Keys.prefix(Keys.ANSWER), Integer.MAX_VALUE, (k, v) -> {
            Client c = clients.get(new String(Keys.clientIdOf(k), StandardCharsets.UTF_8));
            if (c == null) {
                throw new IllegalStateException("stored answer without its client record");
            }
            c.insert(Keys.getLong(k, k.length - 8));
        });
    }

    /**
     * Answers the command (client, seq) at {@code index}: the remembered answer of a retry, a
     * refusal for a forgotten sequence, or else {@code execute}'s answer, which is remembered.
     */
    byte[] apply(BatchOverlay o, String clientId, long seq, long lowestUnanswered, long index,
                 Supplier<byte[]> execute) {
        Client c = clients.get(clientId);
        if (c == null) {
            c = new Client(clientId);
            clients.put(clientId, c);
        } else {
            byLastUse.remove(c.lastUsed);
        }
        forgetBelow(o, c, lowestUnanswered);
        byte[] result;
        if (Long.compareUnsigned(seq, c.floor) < 0) {
            result = forgotten(clientId, seq, c.floor);
        } else if (c.find(seq) >= 0) {
            result = o.get(Keys.answer(c.answerPrefix, seq));
            if (result == null) {
                throw new IllegalStateException("client " + clientId + " sequence " + seq + " has no stored answer");
            }
        } else {
            result = execute.get();
            o.put(Keys.answer(c.answerPrefix, seq), result);
            c.insert(seq);
            int keep = limits.dedupePerClient();
            if (c.n > keep) {
                forgetBelow(o, c, keep > 0 ? c.seqs[c.n - keep] : seq + 1);
            }
        }
        c.lastUsed = index;
        byLastUse.put(index, c);
        byte[] record = new byte[16];
        Keys.putLong(record, 0, c.lastUsed);
        Keys.putLong(record, 8, c.floor);
        o.put(c.recordKey, record);
        while (clients.size() > limits.dedupeClients()) {
            evict(o, byLastUse.pollFirstEntry().getValue());
        }
        return result;
    }

    /** Deletes the answers below {@code bound} and raises the floor to it. */
    private static void forgetBelow(BatchOverlay o, Client c, long bound) {
        if (Long.compareUnsigned(bound, c.floor) <= 0) {
            return;
        }
        int k = 0;
        while (k < c.n && Long.compareUnsigned(c.seqs[k], bound) < 0) {
            o.delete(Keys.answer(c.answerPrefix, c.seqs[k]));
            k++;
        }
        c.dropFirst(k);
        c.floor = bound;
    }

    private void evict(BatchOverlay o, Client c) {
        for (int i = 0; i < c.n; i++) {
            o.delete(Keys.answer(c.answerPrefix, c.seqs[i]));
        }
        o.delete(c.recordKey);
        clients.remove(c.id);
    }

    private static byte[] forgotten(String clientId, long seq, long floor) {
        return CommandResult.newBuilder().setError(CommandError.newBuilder()
                .setReason(ErrorReason.SESSION_EXPIRED)
                .setMessage("write " + Long.toUnsignedString(seq) + " of client " + clientId
                        + " was answered before and its answer is forgotten (every sequence below "
                        + Long.toUnsignedString(floor) + " is): it is not applied again")
                .setOpIndex(-1))
                .build().toByteArray();
    }
}
