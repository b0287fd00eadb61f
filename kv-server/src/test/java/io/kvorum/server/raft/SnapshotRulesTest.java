package io.kvorum.server.raft;

import static io.kvorum.server.raft.RaftTesting.allMessages;
import static io.kvorum.server.raft.RaftTesting.bytes;
import static io.kvorum.server.raft.RaftTesting.entries;
import static io.kvorum.server.raft.RaftTesting.from;
import static io.kvorum.server.raft.RaftTesting.ids;
import static io.kvorum.server.raft.RaftTesting.msg;
import static io.kvorum.server.raft.RaftTesting.ofType;
import static io.kvorum.server.raft.RaftTesting.storageWithTerms;
import static io.kvorum.server.raft.RaftTesting.to;
import static io.kvorum.server.raft.RaftTesting.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Snapshots: Raft paper §7 (InstallSnapshot receiver rules) and the install races of
 * hashicorp/raft#704, camunda#6092, eBay/NuRaft#407 and apache/ratis#504.
 * Follower tests use node 2 of voters {1,2,3} with log 1..3@1, 4@2, 5@2 at term 2, commit 3,
 * receiving a snapshot from leader 1 of term 3.
 */
class SnapshotRulesTest {
    private static final ConfState VOTERS = ConfState.ofVoters(1L, 2L, 3L);

    private static LocalCluster follower(long commit, long... terms) {
        return new LocalCluster(t -> t, Map.of(2L, storageWithTerms(ids(1, 2, 3), 2, commit, terms)));
    }

    private static Message snapshot(long index, long term) {
        return msg(MessageType.SNAPSHOT, 1, 2, 3).snapshot(new SnapshotMeta(index, term, VOTERS)).build();
    }

    private static Message single(List<Message> msgs, String what) {
        assertEquals(1, msgs.size(), "expected exactly one " + what + ", got " + msgs);
        return msgs.get(0);
    }

    /** Leader 1 committed p0..p4 with node 2 while node 3 was cut off, then compacted its log past node 3's. */
    private static LocalCluster compactedPastNode3() {
        LocalCluster c = new LocalCluster(1, 2, 3);
        c.elect(1);
        c.isolate(3);
        for (int i = 0; i < 5; i++) {
            c.core(1).propose(bytes("p" + i));
        }
        c.deliverAll();
        c.storages.get(1L).createSnapshotAndCompact(c.appliedIndex.get(1L), c.status(1).conf());
        c.heal();
        return c;
    }

    // ---------------------------------------------------------------- leader side

    @Test
    void leaderSendsASnapshotToAFollowerWhoseNextEntryWasCompacted() {
        // §7: "the leader must occasionally send snapshots to followers that lag behind".
        LocalCluster c = compactedPastNode3();
        long snap = c.storages.get(1L).snapshot().index();
        c.tickAll(1);
        Message sent = single(c.deliveredWhere(type(MessageType.SNAPSHOT).and(to(3))), "snapshot to node 3");
        assertEquals(snap, sent.snapshot().index());
        assertEquals(snap, c.storages.get(3L).snapshot().index(), "node 3 did not install the snapshot");
        assertEquals(c.logTerms(1, snap), c.logTerms(3, snap), "node 3's log must continue from the snapshot");
        c.core(1).propose(bytes("after"));
        c.deliverAll();
        assertEquals(List.of("after"), c.appliedData(3), "node 3 applies entries after the snapshot only");
    }

    @Test
    void leaderSendsNothingElseToAFollowerWhileItInstallsASnapshot() {
        LocalCluster c = compactedPastNode3();
        c.core(1).tick();
        c.deliverWhere(type(MessageType.HEARTBEAT).and(to(3)).or(type(MessageType.HEARTBEAT_RESPONSE).and(from(3))));
        Message snap = single(c.take(type(MessageType.SNAPSHOT)), "snapshot being streamed");
        assertEquals(ProgressState.SNAPSHOT, c.status(1).progress().get(3L).state());
        for (int i = 0; i < 3; i++) {
            c.core(1).propose(bytes("q" + i));
        }
        assertTrue(c.peek(type(MessageType.APPEND).and(to(3))).isEmpty(),
                "appends were sent to node 3 while it installs a snapshot");
        c.step(snap);
        c.core(1).reportSnapshot(3, true);
        c.deliverAll();
        assertEquals(List.of("q0", "q1", "q2"), c.appliedData(3));
    }

    @Test
    void failedSnapshotIsSentAgain() {
        LocalCluster c = compactedPastNode3();
        c.core(1).tick();
        c.deliverWhere(type(MessageType.HEARTBEAT).and(to(3)).or(type(MessageType.HEARTBEAT_RESPONSE).and(from(3))));
        single(c.take(type(MessageType.SNAPSHOT)), "snapshot lost in streaming");
        c.core(1).reportSnapshot(3, false);
        c.tickAll(1);
        assertEquals(1, c.deliveredWhere(type(MessageType.SNAPSHOT).and(to(3))).size(), "the snapshot was not sent again");
        assertEquals(c.storages.get(1L).snapshot().index(), c.storages.get(3L).snapshot().index());
    }

    // ---------------------------------------------------------------- follower side (InstallSnapshot receiver)

    @Test
    void followerInstallingASnapshotDropsItsConflictingEntryAtTheSnapshotIndex() {
        // §7 receiver rule 7 ("discard the entire log" unless it holds the snapshot's last entry); hashicorp/raft#704.
        LocalCluster c = follower(3, 2, 2);
        Ready rd = c.step(snapshot(5, 3));
        assertEquals(new SnapshotMeta(5, 3, VOTERS), rd.snapshot(), "the snapshot must be handed out for installing");
        assertEquals(3, c.core(2).logTerm(5), "entry 5@2 conflicts with the snapshot's 5@3 and must be replaced");
        assertEquals(5, c.status(2).lastIndex());
        assertEquals(3, c.storages.get(2L).term(5), "storage still holds 5@2");
        assertEquals(6, c.storages.get(2L).firstIndex());
        assertEquals(5, c.status(2).commit());
    }

    @Test
    void followerHoldingTheSnapshotsLastEntryKeepsTheEntriesAfterIt() {
        // §7 receiver rule 6: "If existing log entry has same index and term as snapshot's last included entry,
        // retain log entries following it".
        LocalCluster c = follower(3, 2, 2, 2);
        Ready rd = c.step(snapshot(5, 2));
        assertNull(rd.snapshot(), "nothing to install: the follower already holds 5@2");
        assertEquals(6, c.status(2).lastIndex(), "entry 6 after the snapshot's last entry was dropped");
        assertEquals(5, c.status(2).commit(), "the snapshot's index is committed");
    }

    @Test
    void snapshotNotNewerThanTheFollowersCommitIsIgnored() {
        LocalCluster c = follower(5, 2, 2);
        Ready rd = c.step(snapshot(4, 2));
        assertNull(rd.snapshot(), "an old snapshot would roll back the follower");
        assertEquals(5, c.status(2).lastIndex());
        Message ack = single(ofType(allMessages(rd), MessageType.APPEND_RESPONSE), "answer");
        assertEquals(5, ack.index(), "the answer tells the leader the follower's commit");
    }

    @Test
    void snapshotIsAcknowledgedOnlyAfterItIsPersisted() {
        // The ack promises durable state (etcd-io/etcd#7317).
        LocalCluster c = follower(3, 2, 2);
        Ready rd = c.step(snapshot(5, 3));
        assertTrue(ofType(rd.messages(), MessageType.APPEND_RESPONSE).isEmpty(), "snapshot acked before persisting");
        Message ack = single(ofType(rd.messagesAfterPersist(), MessageType.APPEND_RESPONSE), "ack after persist");
        assertFalse(ack.reject());
        assertEquals(5, ack.index());
    }

    @Test
    void appendArrivingWhileASnapshotIsBeingInstalledIsAppendedAfterIt() {
        // hashicorp/raft#704, apache/ratis#504: appends racing an install.
        LocalCluster c = follower(3, 2, 2);
        c.core(2).step(snapshot(5, 3));
        Ready install = c.core(2).ready();
        c.core(2).step(msg(MessageType.APPEND, 1, 2, 3).index(5).logTerm(3).entries(entries(6, 3)).commit(6).build());
        c.process(2, install);
        Ready next = c.flush(2);
        assertEquals(entries(6, 3), next.entries(), "the append that arrived during the install must be persisted next");
        assertEquals(6, single(ofType(next.messagesAfterPersist(), MessageType.APPEND_RESPONSE), "ack").index());
        assertEquals(3, c.storages.get(2L).term(5));
        assertEquals(3, c.storages.get(2L).term(6));
        assertEquals(List.of(6L), c.applied.get(2L).stream().map(Entry::index).filter(i -> i > 3).toList(),
                "only entry 6 is applied after the snapshot");
    }

    @Test
    void entriesCoveredByAnInstalledSnapshotAreNeverHandedOutForApplying() {
        LocalCluster c = follower(3, 2, 2);
        int before = c.applied.get(2L).size();
        Ready rd = c.step(snapshot(5, 3));
        assertTrue(rd.committedEntries().isEmpty(), "the snapshot's entries are in its data, not to be applied again");
        assertEquals(before, c.applied.get(2L).size());
        assertEquals(5, c.status(2).applied());
    }

    @Test
    void snapshotRestoredWhileAnOlderReadyIsBeingAppliedKeepsItsMembership() {
        // The snapshot (at 6) already holds the membership of every entry up to its index.
        MemoryStorage s = RaftTesting.storage(ids(1, 2, 3),
                List.of(RaftTesting.confEntry(2, 4, ConfChangeType.ADD_LEARNER, 4)), 2, 0, 3);
        LocalCluster c = new LocalCluster(t -> t, Map.of(2L, s));
        c.core(2).step(msg(MessageType.APPEND, 1, 2, 2).index(4).logTerm(2).commit(4).build());
        Ready applying = c.core(2).ready();
        assertEquals(List.of(4L), applying.committedEntries().stream().map(Entry::index).toList(),
                "precondition: the node is applying the change at 4 (add learner 4)");
        // Meanwhile a snapshot at 6 arrives whose membership no longer has learner 4 (removed at 5).
        c.core(2).step(msg(MessageType.SNAPSHOT, 1, 2, 2).snapshot(new SnapshotMeta(6, 2, VOTERS)).build());
        c.process(2, applying);
        assertEquals(VOTERS, c.status(2).conf(), "the older change at 4 overwrote the snapshot's membership");
        c.flush(2);
        assertEquals(VOTERS, c.status(2).conf());
        assertEquals(6, c.storages.get(2L).snapshot().index());
    }

    @Test
    void nodeRestartedAfterInstallingASnapshotResumesFromIt() {
        LocalCluster c = follower(3, 2, 2);
        c.step(snapshot(5, 3));
        c.crash(2);
        assertEquals(5, c.status(2).commit());
        assertEquals(5, c.status(2).applied());
        assertEquals(3, c.core(2).logTerm(5));
        assertEquals(VOTERS, c.status(2).conf(), "the snapshot's membership must survive a restart");
        assertTrue(c.flush(2).committedEntries().isEmpty(), "restart handed out entries the snapshot covers");
    }
}
