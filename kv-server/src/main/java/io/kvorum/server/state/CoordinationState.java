package io.kvorum.server.state;

import io.kvorum.proto.internal.v1.RevisionEvents;
import io.kvorum.proto.internal.v1.TtlExpiry;
import io.kvorum.server.node.StateMachine;
import io.kvorum.server.storage.NodeStore;
import io.kvorum.server.storage.StateBatch;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The coordination data model applied from committed commands (placeholder: signatures are
 * final, bodies are being written).
 */
public final class CoordinationState implements StateMachine {
    public CoordinationState(NodeStore store, StateLimits limits) { throw new UnsupportedOperationException(); }
    @Override public byte[] apply(long index, byte[] command, StateBatch batch) { throw new UnsupportedOperationException(); }
    @Override public void committed(long appliedIndex) { throw new UnsupportedOperationException(); }
    @Override public void restored(long index) { throw new UnsupportedOperationException(); }
    public long revision() { throw new UnsupportedOperationException(); }
    public Optional<NodeRecord> get(String path) { throw new UnsupportedOperationException(); }
    public ChildrenPage children(String path, int pageSize, String after, boolean withStat) { throw new UnsupportedOperationException(); }
    public long compactedRevision() { throw new UnsupportedOperationException(); }
    public List<RevisionEvents> history(long fromRevision, int maxRevisions) { throw new UnsupportedOperationException(); }
    public void addListener(Consumer<RevisionEvents> listener) { throw new UnsupportedOperationException(); }
    public void removeListener(Consumer<RevisionEvents> listener) { throw new UnsupportedOperationException(); }
    public Map<Long, Long> sessions() { throw new UnsupportedOperationException(); }
    public void onTouch(LongConsumer sessionTouched) { throw new UnsupportedOperationException(); }
    public List<TtlExpiry> expiredTtlNodes(long nowMillis, int limit) { throw new UnsupportedOperationException(); }
    public Map<Long, String> memberClientAddresses() { throw new UnsupportedOperationException(); }
}
