package io.kvorum.server.node;

import io.kvorum.server.storage.StateWriter;
import java.nio.charset.StandardCharsets;

/**
 * The small state machine of the node tests: a command {@code key=value} stores value under
 * key and answers the command's log index.
 */
final class CounterStateMachine implements StateMachine {
    @Override
    public byte[] apply(long index, byte[] command, StateWriter batch) {
        String s = new String(command, StandardCharsets.UTF_8);
        int eq = s.indexOf('=');
        batch.put(s.substring(0, eq).getBytes(StandardCharsets.UTF_8),
                s.substring(eq + 1).getBytes(StandardCharsets.UTF_8));
        return Long.toString(index).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] put(String key, String value) {
        return (key + "=" + value).getBytes(StandardCharsets.UTF_8);
    }
}
