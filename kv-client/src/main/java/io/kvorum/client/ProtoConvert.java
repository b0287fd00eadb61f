package io.kvorum.client;

import io.kvorum.proto.v1.ChildrenResponse;
import io.kvorum.proto.v1.Event;
import io.kvorum.proto.v1.MultiResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Between kvorum.proto's messages and the client's public types. */
final class ProtoConvert {
    private ProtoConvert() {
    }

    static Stat stat(io.kvorum.proto.v1.Stat s) {
        return new Stat(s.getCreateRevision(), s.getModRevision(), s.getVersion(), s.getChildrenVersion(),
                s.getEphemeralOwner(), s.getDataLength(), s.getNumChildren(), s.getCtimeMillis(), s.getMtimeMillis(),
                mode(s.getMode()), Duration.ofMillis(s.getTtlMillis()));
    }

    static CreateMode mode(io.kvorum.proto.v1.CreateMode m) {
        return switch (m) {
            case PERSISTENT, UNRECOGNIZED -> CreateMode.PERSISTENT;
            case EPHEMERAL -> CreateMode.EPHEMERAL;
            case PERSISTENT_SEQUENTIAL -> CreateMode.PERSISTENT_SEQUENTIAL;
            case EPHEMERAL_SEQUENTIAL -> CreateMode.EPHEMERAL_SEQUENTIAL;
            case CONTAINER -> CreateMode.CONTAINER;
            case PERSISTENT_WITH_TTL -> CreateMode.PERSISTENT_WITH_TTL;
            case PERSISTENT_SEQUENTIAL_WITH_TTL -> CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
        };
    }

    static io.kvorum.proto.v1.CreateMode mode(CreateMode m) {
        return switch (m) {
            case PERSISTENT -> io.kvorum.proto.v1.CreateMode.PERSISTENT;
            case EPHEMERAL -> io.kvorum.proto.v1.CreateMode.EPHEMERAL;
            case PERSISTENT_SEQUENTIAL -> io.kvorum.proto.v1.CreateMode.PERSISTENT_SEQUENTIAL;
            case EPHEMERAL_SEQUENTIAL -> io.kvorum.proto.v1.CreateMode.EPHEMERAL_SEQUENTIAL;
            case CONTAINER -> io.kvorum.proto.v1.CreateMode.CONTAINER;
            case PERSISTENT_WITH_TTL -> io.kvorum.proto.v1.CreateMode.PERSISTENT_WITH_TTL;
            case PERSISTENT_SEQUENTIAL_WITH_TTL -> io.kvorum.proto.v1.CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL;
        };
    }

    static ChildrenPage page(ChildrenResponse r) {
        List<ChildrenPage.Child> children = new ArrayList<>(r.getChildrenCount());
        for (io.kvorum.proto.v1.Child c : r.getChildrenList()) {
            children.add(new ChildrenPage.Child(c.getName(), c.hasStat() ? stat(c.getStat()) : null));
        }
        return new ChildrenPage(List.copyOf(children), r.getNextPageToken(), r.getHeader().getRevision());
    }

    static List<OpResult> results(MultiResponse r) {
        List<OpResult> out = new ArrayList<>(r.getResultsCount());
        for (io.kvorum.proto.v1.OpResult res : r.getResultsList()) {
            out.add(switch (res.getResultCase()) {
                case CHECK -> new OpResult.Checked(stat(res.getCheck()));
                case CREATE -> new OpResult.Created(res.getCreate().getPath(), stat(res.getCreate().getStat()));
                case SET -> new OpResult.DataSet(stat(res.getSet().getStat()));
                case DELETE, RESULT_NOT_SET -> new OpResult.Deleted();
            });
        }
        return List.copyOf(out);
    }

    static WatchEvent event(Event e) {
        WatchEvent.Type type = switch (e.getType()) {
            case CREATED -> WatchEvent.Type.CREATED;
            case CHANGED -> WatchEvent.Type.CHANGED;
            case DELETED -> WatchEvent.Type.DELETED;
            case CHILDREN_CHANGED, UNRECOGNIZED -> WatchEvent.Type.CHILDREN_CHANGED;
        };
        return new WatchEvent(type, e.getPath(), e.getData().toByteArray(), e.hasStat() ? stat(e.getStat()) : null,
                e.getRevision());
    }
}
