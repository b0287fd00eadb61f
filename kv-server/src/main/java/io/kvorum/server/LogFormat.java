package io.kvorum.server;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The server's log format, chosen by {@code --log-format}: {@code text} (the default, one
 * readable line per event, from {@code logback.xml}) or {@code json} (one JSON object per
 * line, from {@code logback-json.xml}). Either way the node id becomes the logging context's
 * property {@code node}, so every line of this process can name its node.
 */
enum LogFormat {
    TEXT, JSON;

    static LogFormat parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--log-format must be text or json, got '" + s + "'");
        }
    }

    /** Switches logging to this format, before anything of note is logged. */
    void apply(long nodeId) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return; // another SLF4J binding (an embedding application's) keeps its own format
        }
        if (this == JSON) {
            configureJson(ctx);
        }
        ctx.putProperty("node", Long.toString(nodeId));
    }

    /** Replaces {@code ctx}'s configuration with {@code logback-json.xml}. */
    static void configureJson(LoggerContext ctx) {
        URL config = LogFormat.class.getResource("/logback-json.xml");
        if (config == null) {
            throw new IllegalStateException("logback-json.xml is missing from the classpath");
        }
        ctx.reset();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(ctx);
        try {
            joran.doConfigure(config);
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure JSON logging: " + e.getMessage(), e);
        }
    }
}
