package io.kvorum.server.auth;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.net.URL;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server's shipped logging configurations keep the whole audit trail: admin operations are
 * INFO lines on {@value Audit#LOGGER}, which is not under {@code io.kvorum}, so a root logger at
 * WARN alone would drop them.
 */
class AuditLogConfigTest {
    @ParameterizedTest
    @ValueSource(strings = {"/logback.xml", "/logback-json.xml"})
    void theShippedConfigurationLogsAdminOperations(String config) throws Exception {
        URL url = Audit.class.getResource(config);
        assertNotNull(url, config + " is on the server's classpath");
        LoggerContext ctx = new LoggerContext();
        try {
            JoranConfigurator c = new JoranConfigurator();
            c.setContext(ctx);
            c.doConfigure(url);
            assertTrue(ctx.getLogger(Audit.LOGGER).isInfoEnabled(), config + " drops the audit log's INFO lines "
                    + "(event=admin_op)");
        } finally {
            ctx.stop();
        }
    }
}
