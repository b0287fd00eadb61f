package io.kvorum.server.http;

import io.kvorum.server.api.ApiError;

/**
 * The HTTP status for an API error: by its reason where the reason decides (a bad version is a
 * failed precondition, 412; a session that is gone, 410), else by its gRPC code.
 */
final class HttpStatuses {
    private HttpStatuses() {
    }

    static int of(ApiError e) {
        switch (e.reason()) {
            case NO_NODE:
                return 404;
            case NODE_EXISTS, NOT_EMPTY, NO_CHILDREN_FOR_EPHEMERALS, NOT_LEARNER_CAUGHT_UP, MEMBERSHIP_REFUSED:
                return 409;
            case BAD_VERSION:
                return 412;
            case SESSION_EXPIRED, COMPACTED:
                return 410;
            case TOO_LARGE:
                return 413;
            case INVALID_PATH, INVALID_DATA:
                return 400;
            case NO_LEADER, OVERLOADED:
                return 503;
            case TOO_MANY_STREAMS, WATCHER_TOO_SLOW, SNAPSHOT_BUSY:
                return 429;
            case QUOTA_EXCEEDED:
                return 507;
            default:
                break;
        }
        return switch (e.code()) {
            case "NOT_FOUND" -> 404;
            case "ALREADY_EXISTS", "ABORTED" -> 409;
            case "FAILED_PRECONDITION" -> 412;
            case "INVALID_ARGUMENT", "OUT_OF_RANGE" -> 400;
            case "UNAUTHENTICATED" -> 401;
            case "PERMISSION_DENIED" -> 403;
            case "RESOURCE_EXHAUSTED" -> 429;
            case "UNAVAILABLE", "CANCELLED" -> 503;
            case "DEADLINE_EXCEEDED" -> 504;
            default -> 500;
        };
    }

    /** Seconds a client should wait before retrying, for a Retry-After header; 0 for none. */
    static long retryAfterSeconds(ApiError e, int status) {
        String ms = e.metadata().get("retry_after_ms");
        if (ms != null) {
            try {
                return Math.max(1, (Long.parseLong(ms) + 999) / 1000);
            } catch (NumberFormatException ignored) {
                // fall through to the default below
            }
        }
        return status == 503 || status == 429 ? 1 : 0;
    }
}
