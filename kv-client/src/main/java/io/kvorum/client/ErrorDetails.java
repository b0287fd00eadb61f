package io.kvorum.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.net.ConnectException;
import java.util.Map;

/**
 * What a failed call says about itself: the gRPC status, and, when a Kvorum node produced the
 * error, the {@code google.rpc.ErrorInfo} detail with the reason and its metadata (path,
 * op_index, leader_id, leader_address). No ErrorInfo means the failure came from the transport
 * (or from something between us and the node), not from Kvorum.
 */
record ErrorDetails(Status.Code code, String description, String reason, Map<String, String> metadata,
                    boolean notSent, Throwable cause) {

    static ErrorDetails of(Throwable t) {
        Status status = Status.fromThrowable(t);
        String reason = null;
        Map<String, String> metadata = Map.of();
        com.google.rpc.Status rich = StatusProto.fromThrowable(t);
        if (rich != null) {
            for (Any any : rich.getDetailsList()) {
                if (any.is(ErrorInfo.class)) {
                    try {
                        ErrorInfo info = any.unpack(ErrorInfo.class);
                        reason = info.getReason();
                        metadata = info.getMetadataMap();
                    } catch (InvalidProtocolBufferException e) {
                        // a detail we cannot read: treat the error as one without details
                    }
                    break;
                }
            }
        }
        return new ErrorDetails(status.getCode(), status.getDescription(), reason, metadata, connectFailed(t), t);
    }

    /** Whether a Kvorum node produced this error (it carries an ErrorInfo). */
    boolean fromServer() {
        return reason != null;
    }

    /**
     * The node closed a plaintext connection because its port requires TLS: its HTTP/2 GOAWAY
     * (INADEQUATE_SECURITY) says so, and gRPC passes the code and text on in the description.
     */
    boolean tlsRequired() {
        return !fromServer() && description != null && (description.contains("INADEQUATE_SECURITY")
                || description.contains("requires TLS"));
    }

    boolean isNoLeader() {
        return "NO_LEADER".equals(reason);
    }

    /** The node refused the call at its door as over its in-flight limit: nothing was done. */
    boolean isOverloaded() {
        return "OVERLOADED".equals(reason);
    }

    /** The pause an OVERLOADED answer asks for (its retry_after_ms), or 0. */
    long retryAfterNanos() {
        String ms = metadata.get("retry_after_ms");
        try {
            return ms == null ? 0 : java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Math.max(0, Long.parseLong(ms)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The leader's client address a NO_LEADER error names, or null. */
    String leaderAddress() {
        String a = metadata.get("leader_address");
        return a == null || a.isBlank() ? null : a;
    }

    /** A NO_LEADER about a write the node had already forwarded: it may still be applied. */
    boolean outcomeUnknown() {
        return "unknown".equals(metadata.get("outcome"));
    }

    String path() {
        return metadata.get("path");
    }

    int opIndex() {
        String s = metadata.get("op_index");
        try {
            return s == null ? -1 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The transport could not connect, so the request never left: retrying cannot apply anything twice. */
    private static boolean connectFailed(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    /** A short text for messages. */
    String summary() {
        StringBuilder b = new StringBuilder(code.name());
        if (reason != null && !reason.isEmpty() && !reason.equals("ERROR_REASON_UNSPECIFIED")) {
            b.append('/').append(reason);
        }
        if (description != null) {
            b.append(": ").append(description);
        }
        return b.toString();
    }
}
