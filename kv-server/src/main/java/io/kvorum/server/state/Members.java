package io.kvorum.server.state;

import io.kvorum.proto.internal.v1.MemberClientAddress;
import io.kvorum.server.storage.StateReader;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The addresses members announced for clients ({@code 'a' + member id -> UTF-8 address}), so
 * any node can point a client at the leader. An empty address forgets the member's entry.
 * Not a change to the tree: no revision, no events.
 */
final class Members {
    private final Map<Long, String> addresses = new ConcurrentHashMap<>();

    void load(StateReader store) {
        addresses.clear();
        store.forEachWithPrefix(Keys.prefix(Keys.MEMBER), Integer.MAX_VALUE,
                (k, v) -> addresses.put(Keys.getLong(k, 1), new String(v, StandardCharsets.UTF_8)));
    }

    Map<Long, String> view() {
        return Collections.unmodifiableMap(addresses);
    }

    void announce(Txn t, MemberClientAddress m) {
        long id = m.getMemberId();
        String address = m.getClientAddress();
        if (address.isEmpty()) {
            t.delete(Keys.member(id));
            t.onCommit(() -> addresses.remove(id));
        } else {
            t.put(Keys.member(id), address.getBytes(StandardCharsets.UTF_8));
            t.onCommit(() -> addresses.put(id, address));
        }
    }
}
