package io.kvorum.client;

import java.util.List;

/**
 * Turns a failed call's {@link ErrorDetails} into the typed exception the caller catches. The
 * server's ErrorInfo reason decides when there is one; the gRPC code otherwise.
 */
final class ErrorMapper {
    private ErrorMapper() {
    }

    static KvorumException toException(ErrorDetails d, String what) {
        if (d.tlsRequired()) {
            return new TlsRequiredException(what + " failed: the node requires TLS and this client connects "
                    + "without it; build the client with KvorumClient.builder().tls(caFile, certFile, keyFile) (the node "
                    + "said: " + d.description() + ")", d.cause());
        }
        String message = what + " failed: " + (d.description() != null ? d.description() : d.code().name());
        String reason = d.reason();
        String path = d.path();
        int op = d.opIndex();
        Throwable cause = d.cause();
        if (reason != null) {
            switch (reason) {
                case "NO_NODE":
                    return new NoNodeException(message, cause, reason, path, op);
                case "NODE_EXISTS":
                    return new NodeExistsException(message, cause, reason, path, op);
                case "BAD_VERSION":
                    return new BadVersionException(message, cause, reason, path, op);
                case "NOT_EMPTY":
                    return new NotEmptyException(message, cause, reason, path, op);
                case "NO_CHILDREN_FOR_EPHEMERALS":
                    return new NoChildrenForEphemeralsException(message, cause, reason, path, op);
                case "SESSION_EXPIRED":
                    return new SessionExpiredException(message, cause, reason, path, op);
                case "INVALID_PATH":
                case "TOO_LARGE":
                case "INVALID_DATA":
                    return new InvalidArgumentException(message, cause, reason, path, op);
                case "COMPACTED":
                    return new CompactedException(message, cause, path, 0);
                case "NO_LEADER":
                    return new ClusterUnavailableException(message, cause, reason, List.of(), false);
                case "NOT_LEARNER_CAUGHT_UP":
                case "MEMBERSHIP_REFUSED":
                    return new MembershipChangeException(message, cause, reason, path, op);
                default:
                    break; // an unspecified or newer reason: the code decides
            }
        }
        String r = reason != null && !reason.equals("ERROR_REASON_UNSPECIFIED") ? reason : null;
        return switch (d.code()) {
            case NOT_FOUND -> new NoNodeException(message, cause, r, path, op);
            case ALREADY_EXISTS -> new NodeExistsException(message, cause, r, path, op);
            case INVALID_ARGUMENT -> new InvalidArgumentException(message, cause, r, path, op);
            case PERMISSION_DENIED -> new PermissionDeniedException(message, cause, r, path, op);
            case UNAUTHENTICATED -> new UnauthenticatedException(message, cause, r, path, op);
            case OUT_OF_RANGE -> new CompactedException(message, cause, path, 0);
            case DEADLINE_EXCEEDED -> new DeadlineExceededException(message, cause, List.of());
            case UNAVAILABLE -> new ClusterUnavailableException(message, cause, r, List.of(), false);
            case CANCELLED -> new KvorumException(what + " was cancelled", cause, r, path, op);
            default -> new KvorumException(message, cause, r, path, op);
        };
    }
}
