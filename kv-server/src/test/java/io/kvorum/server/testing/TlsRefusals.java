package io.kvorum.server.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kvorum.server.tls.TlsOnlyNegotiator;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.slf4j.LoggerFactory;

/** The lines a TLS-only port logs about the handshakes it refused, collected while open. */
public final class TlsRefusals implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(TlsOnlyNegotiator.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    public TlsRefusals() {
        lines.list = new CopyOnWriteArrayList<>(); // appended to by Netty's threads
        lines.start();
        logger.addAppender(lines);
    }

    /** Waits for a line containing every one of {@code parts}. */
    public void await(String... parts) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertTrue(lines.list.stream()
                .map(ILoggingEvent::getFormattedMessage).anyMatch(l -> Arrays.stream(parts).allMatch(l::contains)),
                "no log line with " + Arrays.toString(parts) + " among " + lines.list));
    }

    @Override
    public void close() {
        logger.detachAppender(lines);
    }
}
