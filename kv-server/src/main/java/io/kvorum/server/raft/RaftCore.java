package io.kvorum.server.raft;

/** Placeholder: the core is being written; signatures are final. */
public final class RaftCore {
    public RaftCore(RaftConfig config, RaftStorage storage) { throw new UnsupportedOperationException(); }
    public void tick() { throw new UnsupportedOperationException(); }
    public void step(Message m) { throw new UnsupportedOperationException(); }
    public void propose(byte[] data) { throw new UnsupportedOperationException(); }
    public void proposeConfChange(ConfChange cc) { throw new UnsupportedOperationException(); }
    public void readIndex(long context) { throw new UnsupportedOperationException(); }
    public void transferLeadership(long to) { throw new UnsupportedOperationException(); }
    public void campaign() { throw new UnsupportedOperationException(); }
    public void reportUnreachable(long peer) { throw new UnsupportedOperationException(); }
    public void reportSnapshot(long peer, boolean ok) { throw new UnsupportedOperationException(); }
    public boolean hasReady() { throw new UnsupportedOperationException(); }
    public Ready ready() { throw new UnsupportedOperationException(); }
    public void advance(Ready rd) { throw new UnsupportedOperationException(); }
    public Status status() { throw new UnsupportedOperationException(); }
}
