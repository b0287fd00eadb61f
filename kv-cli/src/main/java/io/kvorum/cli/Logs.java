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

    static void quiet() {
        // gRPC and Netty log through java.util.logging, which prints WARNINGs to stderr by default.
        LogManager.getLogManager().reset();
        String level = System.getenv("KVORUM_LOG_LEVEL");
        Logger.getLogger("").setLevel(level == null ? Level.OFF : Level.WARNING);
    }
}
