package io.kvorum.jepsen.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Moves one direction of one connection. The reader takes bytes as they come and stamps each
 * chunk with the time it may be released (now + the link's delay); the writer releases chunks in
 * order, no earlier than their stamp, holding them while the link is cut and dropping them while
 * it is a blackhole. The queue is bounded: when the writer is held, the reader stops reading
 * and the sender's TCP window fills, as it would across a real partition.
 */
final class Pump {
    private static final int CHUNK = 64 * 1024;
    private static final int QUEUE_CHUNKS = 256;
    private static final byte[] EOF = new byte[0];

    private record Chunk(byte[] bytes, long dueNanos) {
    }

    private final LinkProxy link;
    private final InputStream in;
    private final OutputStream out;
    private final Socket dst;
    private final Connection connection;
    private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
    private final Thread reader;
    private final Thread writer;
    /** Set when bytes were discarded: the stream is no longer whole. */
    volatile boolean lostBytes;

    Pump(LinkProxy link, String name, Socket src, Socket dst, Connection connection) throws IOException {
        this.link = link;
        this.in = src.getInputStream();
        this.out = dst.getOutputStream();
        this.dst = dst;
        this.connection = connection;
        this.reader = new Thread(this::read, name + "-read");
        this.writer = new Thread(this::write, name + "-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    void start() {
        reader.start();
        writer.start();
    }

    void interrupt() {
        reader.interrupt();
        writer.interrupt();
    }

    private void read() {
        byte[] buf = new byte[CHUNK];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    queue.put(new Chunk(EOF, System.nanoTime() + link.delayNanos()));
                    return;
                }
                queue.put(new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + link.delayNanos()));
            }
        } catch (IOException | InterruptedException e) {
            connection.close(false);
        }
    }

    private void write() {
        try {
            while (true) {
                Chunk c = queue.take();
                long wait = c.dueNanos - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                if (link.awaitPassable() == LinkMode.BLACKHOLE) {
                    lostBytes = true;
                    continue;
                }
                if (c.bytes == EOF) {
                    // The sender finished: pass the half-close on, and let the other direction drain.
                    out.flush();
                    dst.shutdownOutput();
                    connection.halfClosed();
                    return;
                }
                out.write(c.bytes);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            connection.close(false);
        }
    }
}
