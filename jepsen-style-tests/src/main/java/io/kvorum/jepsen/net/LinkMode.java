package io.kvorum.jepsen.net;

/** What a {@link LinkProxy} does with traffic. */
public enum LinkMode {
    /** Bytes flow (after the link's delay, if any). */
    OPEN,
    /**
     * A partition: new connections are refused (reset at once) and existing ones freeze: bytes
     * are held, as TCP holds unacknowledged data, and flow again, intact, on heal.
     */
    CUT,
    /**
     * Connections are accepted and bytes silently discarded. A stream that lost bytes cannot
     * go on, so healing resets the connections that lost any (the client reconnects).
     */
    BLACKHOLE
}
