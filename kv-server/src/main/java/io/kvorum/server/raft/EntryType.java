package io.kvorum.server.raft;

/** What a log entry carries. */
public enum EntryType {
    /** Opaque state-machine command; an empty one is the no-op a new leader appends. */
    NORMAL,
    /** An encoded {@link ConfChange}, applied to the membership when the entry is applied. */
    CONF_CHANGE
}
