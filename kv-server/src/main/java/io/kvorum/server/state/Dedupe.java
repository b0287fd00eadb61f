package io.kvorum.server.state;

import io.kvorum.proto.internal.v1.CommandError;
import io.kvorum.proto.internal.v1.CommandResult;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.server.storage.StateReader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Exactly-once writes (Raft thesis §6.3; retries without it apply twice, etcd-io/etcd#14890):
 * the answer of every command that carries a client id is remembered under (client, sequence), so a retry returns the
 * first answer and applies nothing. Stored through the same batch as the state it answers for,
 * so a restart or a snapshot never separates the two.
 *
 * <p>Stored: a client's answers in records of {@value #ANSWERS_PER_RECORD} sequences each,
 * {@code 'b' + client + (sequence >>> 6) -> (sequence(8) length(4) CommandResult)*}, and per
 * client {@code 'c' + client -> lastUsedIndex(8) floor(8)}. Both are written once per batch,
 * by {@link #finishBatch}: a batch of commands from one client rewrites one or two answer
 * records and its client record, where a record per answer cost a put, and later a delete,
 * per command. A record is deleted once every sequence in it is forgotten; until then it may
 * still hold answers below the floor, which are never read. Earlier versions stored one answer
 * per key, {@code 'd' + client + sequence}; such answers are still read and deleted.
 *
 * <p>Mirrored in memory: the sequences each client has answers for, its floor, and the clients
 * in least-recently-used order, so a command that is not a retry costs no read; and the answer
 * records the batch being applied changed.
 *
 * <p>Rules:
 * <ul>
 *   <li>{@code lowest_unanswered_sequence} L: the client has every answer below L; they are
 *       forgotten and the client's floor rises to L.</li>
 *   <li>A sequence below the floor was answered and forgotten: it is refused
 *       (SESSION_EXPIRED), never applied a second time.</li>
 *   <li>At most {@link StateLimits#dedupePerClient()} answers per client: over that, the lowest
 *       sequence's answer is dropped and the floor rises above it.</li>
 *   <li>At most {@link StateLimits#dedupeClients()} clients: over that, the client whose last
 *       command has the lowest log index is forgotten entirely (the same one on every node).
 *       A retry from a forgotten client is applied again; that bound is the price of a finite
 *       table, as in etcd and the Raft thesis.</li>
 * </ul>
 * The answers a command gets depend only on the commands before it, never on where the node's
 * batches ended; only which forgotten answers a record still holds does.
 */
final class Dedupe {
    /** Longest client id accepted, in UTF-8 bytes (the key stores its length in 2 bytes). */
    static final int MAX_CLIENT_ID_BYTES = 1024;
    /** Sequences per answer record: a record holds the sequences sharing all bits above these. */
    static final int ANSWERS_PER_RECORD = 64;
    private static final int RECORD_SHIFT = Integer.numberOfTrailingZeros(ANSWERS_PER_RECORD);
    /** Bytes in front of each answer in a record: its sequence and its length. */
    private static final int ANSWER_HEADER = 12;

    private final StateLimits limits;
    private final Map<String, Client> clients = new HashMap<>();
    /** Clients by the log index of their last command: the first is the least recently used. */
    private final TreeMap<Long, Client> byLastUse = new TreeMap<>();
    /** Clients whose records the batch being applied changed: finishBatch writes them. */
    private final List<Client> changed = new ArrayList<>();

    Dedupe(StateLimits limits) {
        this.limits = limits;
    }

    /** One answer in an answer record. */
    private record Answer(long seq, byte[] result) {
    }

    private static final class Client {
        final String id;
        final byte[] recordPrefix;
        final byte[] legacyPrefix;
        final byte[] recordKey;
        long lastUsed;
        long floor;
        /** Sequences with a remembered answer, sorted (unsigned), in {@code seqs[0..n)}. */
        long[] seqs = new long[2];
        int n;
        /** Those of the remembered sequences stored one per key by an earlier version; null if none. */
        Set<Long> legacy;
        /** Answer records the batch changed, by record number, with every answer they hold. */
        final Map<Long, List<Answer>> open = new HashMap<>();
        /** In {@link #changed}; false again once the batch's records are written. */
        boolean inBatch;
        boolean evicted;

        Client(String id) {
            this.id = id;
            byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
            this.recordPrefix = Keys.clientPrefix(Keys.ANSWERS, idBytes);
            this.legacyPrefix = Keys.clientPrefix(Keys.ANSWER, idBytes);
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

        byte[] answersKey(long record) {
            return Keys.answerRecord(recordPrefix, record);
        }

        /** Whether {@code seq}'s answer is stored alone under its own key, by an earlier version. */
        boolean storedAlone(long seq) {
            return legacy != null && legacy.contains(seq);
        }
    }

    void load(StateReader store) {
        clients.clear();
        byLastUse.clear();
        changed.clear();
        store.forEachWithPrefix(Keys.prefix(Keys.CLIENT), Integer.MAX_VALUE, (k, v) -> {
            Client c = new Client(new String(Keys.clientIdOf(k), StandardCharsets.UTF_8));
            c.lastUsed = Keys.getLong(v, 0);
            c.floor = Keys.getLong(v, 8);
            clients.put(c.id, c);
            byLastUse.put(c.lastUsed, c);
        });
        store.forEachWithPrefix(Keys.prefix(Keys.ANSWERS), Integer.MAX_VALUE, (k, v) -> {
            Client c = clientOf(k);
            for (Answer a : parse(v)) {
                if (Long.compareUnsigned(a.seq, c.floor) >= 0) {
                    c.insert(a.seq);
                }
            }
        });
        store.forEachWithPrefix(Keys.prefix(Keys.ANSWER), Integer.MAX_VALUE, (k, v) -> {
            Client c = clientOf(k);
            long seq = Keys.getLong(k, k.length - 8);
            c.insert(seq);
            if (c.legacy == null) {
                c.legacy = new HashSet<>();
            }
            c.legacy.add(seq);
        });
    }

    private Client clientOf(byte[] answerKey) {
        Client c = clients.get(new String(Keys.clientIdOf(answerKey), StandardCharsets.UTF_8));
        if (c == null) {
            throw new IllegalStateException("stored answer without its client record");
        }
        return c;
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
            result = remembered(o, c, seq);
        } else {
            result = execute.get();
            openRecord(o, c, seq >>> RECORD_SHIFT).add(new Answer(seq, result));
            c.insert(seq);
            int keep = limits.dedupePerClient();
            if (c.n > keep) {
                forgetBelow(o, c, keep > 0 ? c.seqs[c.n - keep] : seq + 1);
            }
        }
        c.lastUsed = index;
        byLastUse.put(index, c);
        if (!c.inBatch) {
            c.inBatch = true;
            changed.add(c);
        }
        while (clients.size() > limits.dedupeClients()) {
            evict(o, byLastUse.pollFirstEntry().getValue());
        }
        return result;
    }

    /**
     * Writes the records the batch changed: each changed answer record with the answers it
     * holds that are still remembered, and each changed client's record. Called once, after
     * the batch's last command.
     */
    void finishBatch(BatchOverlay o) {
        for (Client c : changed) {
            c.inBatch = false;
            if (c.evicted) {
                continue;
            }
            for (Map.Entry<Long, List<Answer>> e : c.open.entrySet()) {
                byte[] record = encode(c, e.getValue());
                if (record != null) {
                    o.put(c.answersKey(e.getKey()), record);
                }
            }
            c.open.clear();
            byte[] record = new byte[16];
            Keys.putLong(record, 0, c.lastUsed);
            Keys.putLong(record, 8, c.floor);
            o.put(c.recordKey, record);
        }
        changed.clear();
    }

    private byte[] remembered(BatchOverlay o, Client c, long seq) {
        if (c.storedAlone(seq)) {
            byte[] result = o.get(Keys.answer(c.legacyPrefix, seq));
            if (result != null) {
                return result;
            }
        } else {
            for (Answer a : openRecord(o, c, seq >>> RECORD_SHIFT)) {
                if (a.seq == seq) {
                    return a.result;
                }
            }
        }
        throw new IllegalStateException("client " + c.id + " sequence " + Long.toUnsignedString(seq)
                + " has no stored answer");
    }

    /** The answers of record {@code number} as this batch sees them, kept to be written back. */
    private static List<Answer> openRecord(BatchOverlay o, Client c, long number) {
        List<Answer> answers = c.open.get(number);
        if (answers == null) {
            byte[] stored = o.get(c.answersKey(number));
            answers = stored == null ? new ArrayList<>() : parse(stored);
            c.open.put(number, answers);
        }
        return answers;
    }

    /**
     * Forgets the answers below {@code bound} and raises the floor to it: deletes the records
     * left with no remembered answer, and the earlier version's keys.
     */
    private static void forgetBelow(BatchOverlay o, Client c, long bound) {
        if (Long.compareUnsigned(bound, c.floor) <= 0) {
            return;
        }
        int k = 0;
        while (k < c.n && Long.compareUnsigned(c.seqs[k], bound) < 0) {
            k++;
        }
        // The record of the first sequence still remembered in one stays; every record before it goes.
        int first = k;
        while (first < c.n && c.storedAlone(c.seqs[first])) {
            first++;
        }
        long kept = first < c.n ? c.seqs[first] >>> RECORD_SHIFT : -1;
        long deleted = -1;
        for (int i = 0; i < k; i++) {
            long seq = c.seqs[i];
            if (c.legacy != null && c.legacy.remove(seq)) {
                o.delete(Keys.answer(c.legacyPrefix, seq));
                continue;
            }
            long record = seq >>> RECORD_SHIFT;
            if (record != kept && record != deleted) {
                o.delete(c.answersKey(record));
                c.open.remove(record);
                deleted = record;
            }
        }
        c.dropFirst(k);
        c.floor = bound;
    }

    private void evict(BatchOverlay o, Client c) {
        long deleted = -1;
        for (int i = 0; i < c.n; i++) {
            long seq = c.seqs[i];
            if (c.storedAlone(seq)) {
                o.delete(Keys.answer(c.legacyPrefix, seq));
                continue;
            }
            long record = seq >>> RECORD_SHIFT;
            if (record != deleted) {
                o.delete(c.answersKey(record));
                deleted = record;
            }
        }
        o.delete(c.recordKey);
        c.open.clear();
        c.evicted = true;
        clients.remove(c.id);
    }

    /** Encodes the still-remembered answers of {@code answers}; null if none is. */
    private static byte[] encode(Client c, List<Answer> answers) {
        int size = 0;
        int count = 0;
        for (Answer a : answers) {
            if (c.find(a.seq) >= 0) {
                size += ANSWER_HEADER + a.result.length;
                count++;
            }
        }
        if (count == 0) {
            return null;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (Answer a : answers) {
            if (c.find(a.seq) >= 0) {
                Keys.putLong(out, at, a.seq);
                Keys.putInt(out, at + 8, a.result.length);
                System.arraycopy(a.result, 0, out, at + ANSWER_HEADER, a.result.length);
                at += ANSWER_HEADER + a.result.length;
            }
        }
        return out;
    }

    /** The answers an answer record holds, in the order they were added. */
    static List<Answer> parse(byte[] record) {
        List<Answer> out = new ArrayList<>();
        int at = 0;
        while (at < record.length) {
            if (record.length - at < ANSWER_HEADER) {
                throw new IllegalStateException("answer record of " + record.length + " bytes ends inside an answer's header at " + at);
            }
            long seq = Keys.getLong(record, at);
            int len = Keys.getInt(record, at + 8);
            if (len < 0 || len > record.length - at - ANSWER_HEADER) {
                throw new IllegalStateException("answer record of " + record.length + " bytes has an answer of "
                        + len + " bytes at " + at);
            }
            out.add(new Answer(seq, Arrays.copyOfRange(record, at + ANSWER_HEADER, at + ANSWER_HEADER + len)));
            at += ANSWER_HEADER + len;
        }
        return out;
    }

    /** The sequences an answer record holds (tests). */
    static long[] sequencesIn(byte[] record) {
        return parse(record).stream().mapToLong(Answer::seq).toArray();
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
