package io.kvorum.server.state;

import io.kvorum.proto.internal.v1.Locality;
import io.kvorum.proto.internal.v1.MarkObserver;
import io.kvorum.proto.internal.v1.MemberClientAddress;
import io.kvorum.server.storage.StateReader;

import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the cluster knows about its members besides the Raft membership: the addresses they
 * announced for clients ({@code 'a' + member id -> UTF-8 address}), the locality they announced
 * with it ({@code 'l' + member id -> Locality}), and which were added as observers
 * ({@code 'o' + member id}). An announcement with an empty address forgets the member's address
 * and locality; one without a locality clears it. Not a change to the tree: no revision, no events.
 */
final class Members {
    private final Map<Long, String> addresses = new ConcurrentHashMap<>();
    private final Map<Long, Locality> localities = new ConcurrentHashMap<>();
    private final Set<Long> observers = ConcurrentHashMap.newKeySet();

    void load(StateReader store) {
        addresses.clear();
        localities.clear();
        observers.clear();
        store.forEachWithPrefix(Keys.prefix(Keys.MEMBER), Integer.MAX_VALUE,
                (k, v) -> addresses.put(Keys.getLong(k, 1), new String(v, StandardCharsets.UTF_8)));
        store.forEachWithPrefix(Keys.prefix(Keys.MEMBER_LOCALITY), Integer.MAX_VALUE,
                (k, v) -> localities.put(Keys.getLong(k, 1), parseLocality(Keys.getLong(k, 1), v)));
        store.forEachWithPrefix(Keys.prefix(Keys.OBSERVER), Integer.MAX_VALUE,
                (k, v) -> observers.add(Keys.getLong(k, 1)));
        store.forEachWithPrefix(Keys.prefix(Keys.LEGACY_OBSERVER), Integer.MAX_VALUE, (k, v) -> {
            if (v.length == 0) {
                observers.add(Keys.getLong(k, 1));
            }
        });
    }

    Map<Long, String> view() {
        return Collections.unmodifiableMap(addresses);
    }

    Map<Long, Locality> localities() {
        return Collections.unmodifiableMap(localities);
    }

    Set<Long> observers() {
        return Collections.unmodifiableSet(observers);
    }

    void announce(Txn t, MemberClientAddress m) {
        long id = m.getMemberId();
        String address = m.getClientAddress();
        Locality locality = m.getLocality();
        if (address.isEmpty()) {
            t.delete(Keys.member(id));
            t.delete(Keys.memberLocality(id));
            t.onCommit(() -> {
                addresses.remove(id);
                localities.remove(id);
            });
            return;
        }
        t.put(Keys.member(id), address.getBytes(StandardCharsets.UTF_8));
        if (locality.equals(Locality.getDefaultInstance())) {
            t.delete(Keys.memberLocality(id));
        } else {
            t.put(Keys.memberLocality(id), locality.toByteArray());
        }
        t.onCommit(() -> {
            addresses.put(id, address);
            if (locality.equals(Locality.getDefaultInstance())) {
                localities.remove(id);
            } else {
                localities.put(id, locality);
            }
        });
    }

    void markObserver(Txn t, MarkObserver m) {
        long id = m.getMemberId();
        if (m.getObserver()) {
            t.put(Keys.observer(id), new byte[0]);
            t.onCommit(() -> observers.add(id));
        } else {
            t.delete(Keys.observer(id));
            byte[] legacy = t.get(Keys.legacyObserver(id));
            if (legacy != null && legacy.length == 0) {
                t.delete(Keys.legacyObserver(id));
            }
            t.onCommit(() -> observers.remove(id));
        }
    }

    private static Locality parseLocality(long id, byte[] v) {
        try {
            return Locality.parseFrom(v);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("stored locality of member " + id + " does not parse", e);
        }
    }
}
