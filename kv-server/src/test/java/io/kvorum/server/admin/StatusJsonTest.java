package io.kvorum.server.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvorum.server.node.NodeStatus;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The admin port's JSON is an operator interface: these are the exact bytes scripts parse. */
class StatusJsonTest {
    @Test
    void statusListsMembersByIdWithMatchIndexOnlyWhereKnown() {
        NodeStatus s = new NodeStatus(1, "leader", 1, 3, 10, 9, 11, 5,
                Map.of(2L, "127.0.0.1:7390", 1L, "127.0.0.1:7380"), Set.of(1L, 2L), Map.of(2L, 10L), Set.of(),
                Map.of());
        assertEquals("{\"id\":1,\"role\":\"leader\",\"leaderId\":1,\"term\":3,\"commitIndex\":10,\"appliedIndex\":9,"
                + "\"lastIndex\":11,\"snapshotIndex\":5,\"fsyncs\":42,\"members\":["
                + "{\"id\":1,\"peerAddress\":\"127.0.0.1:7380\",\"voter\":true},"
                + "{\"id\":2,\"peerAddress\":\"127.0.0.1:7390\",\"voter\":true,\"matchIndex\":10}]}\n",
                StatusJson.of(s, 42));
    }

    @Test
    void statusShowsEachMembersLabelsWhereTheStateHasThem() {
        NodeStatus s = new NodeStatus(1, "leader", 1, 3, 10, 9, 11, 5,
                Map.of(2L, "127.0.0.1:7390", 1L, "127.0.0.1:7380"), Set.of(1L), Map.of(), Set.of(2L), Map.of());
        String json = StatusJson.of(s, 0, List.of(), "{}", Map.of(2L, new MemberLabels("dc2", "", true)));
        assertEquals("{\"id\":1,\"role\":\"leader\",\"leaderId\":1,\"term\":3,\"commitIndex\":10,\"appliedIndex\":9,"
                + "\"lastIndex\":11,\"snapshotIndex\":5,\"fsyncs\":0,\"members\":["
                + "{\"id\":1,\"peerAddress\":\"127.0.0.1:7380\",\"voter\":true},"
                + "{\"id\":2,\"peerAddress\":\"127.0.0.1:7390\",\"voter\":false,\"datacenter\":\"dc2\",\"zone\":\"\","
                + "\"observer\":true}],\"alarms\":[],\"limits\":{}}\n", json);
    }

    @Test
    void aFailedCheckSaysWhyWithTheReasonEscaped() {
        assertEquals("{\"ok\":true}\n", StatusJson.check(null));
        assertEquals("{\"ok\":false,\"reason\":\"no \\\"leader\\\" known\"}\n", StatusJson.check("no \"leader\" known"));
    }
}
