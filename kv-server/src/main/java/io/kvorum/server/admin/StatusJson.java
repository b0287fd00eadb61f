package io.kvorum.server.admin;

import io.kvorum.server.node.NodeStatus;
import java.util.Map;

/** The {@code /status} document. Field names are part of the operator interface: keep them stable. */
final class StatusJson {
    private StatusJson() {
    }

    static String of(NodeStatus s, long fsyncs) {
        return of(s, fsyncs, java.util.List.of(), "{}");
    }

    /** With the node's raised alarms ({@code "alarms"}) and enforced limits ({@code "limits"}). */
    static String of(NodeStatus s, long fsyncs, java.util.List<String> alarms, String limitsJson) {
        StringBuilder b = new StringBuilder(256);
        b.append('{')
                .append("\"id\":").append(s.id())
                .append(",\"role\":").append(quote(s.role()))
                .append(",\"leaderId\":").append(s.leaderId())
                .append(",\"term\":").append(s.term())
                .append(",\"commitIndex\":").append(s.commitIndex())
                .append(",\"appliedIndex\":").append(s.appliedIndex())
                .append(",\"lastIndex\":").append(s.lastIndex())
                .append(",\"snapshotIndex\":").append(s.snapshotIndex())
                .append(",\"fsyncs\":").append(fsyncs)
                .append(",\"members\":[");
        boolean first = true;
        for (Map.Entry<Long, String> m : new java.util.TreeMap<>(s.members()).entrySet()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append("{\"id\":").append(m.getKey())
                    .append(",\"peerAddress\":").append(quote(m.getValue()))
                    .append(",\"voter\":").append(s.voters().contains(m.getKey()));
            Long match = s.matchIndex().get(m.getKey());
            if (match != null) {
                b.append(",\"matchIndex\":").append(match);
            }
            b.append('}');
        }
        b.append("],\"alarms\":[");
        for (int i = 0; i < alarms.size(); i++) {
            b.append(i == 0 ? "" : ",").append(quote(alarms.get(i)));
        }
        return b.append("],\"limits\":").append(limitsJson).append("}\n").toString();
    }

    static String quote(String v) {
        if (v == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(v.length() + 2).append('"');
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
