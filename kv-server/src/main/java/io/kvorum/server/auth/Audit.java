package io.kvorum.server.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: one line per authentication failure, permission denial and admin operation,
 * on the logger {@value #LOGGER} (route it to its own file in the logging config), as
 * {@code key=value} pairs with quoted values: {@code event=... user="..." op="..." path="..."
 * result=... reason="..." remote="..."}.
 */
public final class Audit {
    public static final String LOGGER = "kvorum.audit";
    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);

    private Audit() {
    }

    public static void authFailure(String user, String op, String reason, Object remote) {
        LOG.warn("event=auth_failure user={} op={} result=UNAUTHENTICATED reason={} remote={}", q(user), q(op),
                q(reason), q(remote));
    }

    public static void denied(String user, String op, String path, String reason, Object remote) {
        LOG.warn("event=permission_denied user={} op={} path={} result=PERMISSION_DENIED reason={} remote={}",
                q(user), q(op), q(path), q(reason), q(remote));
    }

    public static void adminOp(String user, String op, String target, String result, Object remote) {
        LOG.info("event=admin_op user={} op={} path={} result={} remote={}", q(user), q(op), q(target), q(result),
                q(remote));
    }

    /** A quoted value with quotes, backslashes and line breaks escaped, so one event stays one line. */
    static String q(Object v) {
        if (v == null) {
            return "\"\"";
        }
        String s = String.valueOf(v);
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c < 0x20 ? '?' : c);
            }
        }
        return b.append('"').toString();
    }
}
