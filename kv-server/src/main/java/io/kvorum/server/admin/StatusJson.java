package io.kvorum.server.admin;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kvorum.server.node.NodeStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The {@code /status} document. Field names are part of the operator interface: keep them stable. */
final class StatusJson {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private StatusJson() {
    }

    static String of(NodeStatus s, long fsyncs) {
        return GSON.toJson(statusOf(s, fsyncs, Map.of())) + "\n";
    }

    /**
     * With the node's raised alarms ({@code "alarms"}), enforced limits ({@code "limits"}) and
     * each member's labels ({@code "datacenter"}, {@code "zone"}, {@code "observer"}).
     */
    static String of(NodeStatus s, long fsyncs, List<String> alarms, String limitsJson,
                     Map<Long, MemberLabels> labels) {
        JsonObject o = statusOf(s, fsyncs, labels);
        JsonArray raised = new JsonArray();
        alarms.forEach(raised::add);
        o.add("alarms", raised);
        o.add("limits", JsonParser.parseString(limitsJson));
        return GSON.toJson(o) + "\n";
    }

    private static JsonObject statusOf(NodeStatus s, long fsyncs, Map<Long, MemberLabels> labels) {
        JsonObject o = new JsonObject();
        o.addProperty("id", s.id());
        o.addProperty("role", s.role());
        o.addProperty("leaderId", s.leaderId());
        o.addProperty("term", s.term());
        o.addProperty("commitIndex", s.commitIndex());
        o.addProperty("appliedIndex", s.appliedIndex());
        o.addProperty("lastIndex", s.lastIndex());
        o.addProperty("snapshotIndex", s.snapshotIndex());
        o.addProperty("fsyncs", fsyncs);
        JsonArray members = new JsonArray();
        for (Map.Entry<Long, String> m : new TreeMap<>(s.members()).entrySet()) {
            JsonObject member = new JsonObject();
            member.addProperty("id", m.getKey());
            member.addProperty("peerAddress", m.getValue());
            member.addProperty("voter", s.voters().contains(m.getKey()));
            Long match = s.matchIndex().get(m.getKey());
            if (match != null) {
                member.addProperty("matchIndex", match);
            }
            MemberLabels l = labels.get(m.getKey());
            if (l != null) {
                member.addProperty("datacenter", l.datacenter());
                member.addProperty("zone", l.zone());
                member.addProperty("observer", l.observer());
            }
            members.add(member);
        }
        o.add("members", members);
        return o;
    }

    /** The answer of {@code /health} and {@code /ready}: ok, or not and why. */
    static String check(String problem) {
        JsonObject o = new JsonObject();
        o.addProperty("ok", problem == null);
        if (problem != null) {
            o.addProperty("reason", problem);
        }
        return GSON.toJson(o) + "\n";
    }
}
