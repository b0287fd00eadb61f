package io.kvorum.cli;

import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Keeps library logging off the terminal: a command's output is its result and one error
 * sentence. {@code KVORUM_LOG_LEVEL=debug} (see logback.xml) turns the client's logs on.
 */
final class Logs {
    private Logs() {
    }

    /** Call first thing in main, before any class asks SLF4J for a logger. */
    static void quiet() {
        // gRPC and Netty log through java.util.logging, which prints WARNINGs to stderr by default.
        LogManager.getLogManager().reset();
        String level = System.getenv("KVORUM_LOG_LEVEL");
        Logger.getLogger("").setLevel(level == null ? Level.OFF : Level.WARNING);
        if (level == null) {
            // Nothing would be printed (logback.xml's level is OFF): SLF4J's no-op provider then
            // spares every command logback's start-up (some 500 classes and an XML parse).
            setIfAbsent("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            setIfAbsent("slf4j.internal.verbosity", "WARN");
        }
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }
}
