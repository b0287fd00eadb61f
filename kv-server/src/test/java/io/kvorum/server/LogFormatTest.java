package io.kvorum.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.spi.MDCAdapter;

/** {@code --log-format}: the JSON configuration loads and writes one object per line with node, term and request id. */
class LogFormatTest {
    @Test
    void jsonLinesCarryTheNodeTheTermAndTheRequestId() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        // A context of its own, so the test JVM's logging is untouched; its console appender
        // binds System.err when configured, hence the swap around configuring and logging.
        LoggerContext ctx = new LoggerContext();
        MDCAdapter mdc = new LogbackMDCAdapter();
        ctx.setMDCAdapter(mdc);
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            LogFormat.configureJson(ctx);
            ctx.start();
            ctx.putProperty("node", "3");
            Logger log = ctx.getLogger("io.kvorum.server.Example");
            // This context's own MDC (org.slf4j.MDC fronts the JVM-wide context's).
            mdc.put("requestId", "req-77");
            mdc.put("term", "5");
            try {
                log.info("wrote {} entries", 12);
            } finally {
                mdc.clear();
            }
        } finally {
            System.setErr(err);
            ctx.stop();
        }
        String out = captured.toString(StandardCharsets.UTF_8).strip();
        assertEquals(1, out.lines().count(), out);
        assertTrue(out.startsWith("{") && out.endsWith("}"), out);
        for (String field : new String[] {"\"level\":\"INFO\"", "\"node\":\"3\"", "\"requestId\":\"req-77\"",
                "\"term\":\"5\"", "\"formattedMessage\":\"wrote 12 entries\"",
                "\"loggerName\":\"io.kvorum.server.Example\""}) {
            assertTrue(out.contains(field), field + " in " + out);
        }
    }

    @Test
    void anUnknownFormatIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogFormat.parse("yaml"));
        assertEquals("--log-format must be text or json, got 'yaml'", e.getMessage());
        assertEquals(LogFormat.JSON, LogFormat.parse("JSON"));
    }
}
