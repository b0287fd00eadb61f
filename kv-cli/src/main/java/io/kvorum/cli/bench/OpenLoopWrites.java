package io.kvorum.cli.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.kvorum.proto.batch.BatchRefusals;
import io.kvorum.proto.v1.SetRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * An open-loop write generator for the overload run: it offers writes at a fixed rate whatever
 * the answers, over a few Batch streams, so the load at the servers' door does not fall when
 * they slow down (a closed loop would wait, and measure the servers' pace instead of offering
 * more than they take). It must cost far less per write than a server does, or on a shared
 * machine it measures itself: requests are pre-encoded (each key's SetRequest once; a batch
 * message is the items' bytes copied after their id), answers are scanned for id and status
 * code without building objects, and there are no per-write futures, timers or retries.
 *
 * <p>When a stream's transport is not ready (HTTP/2 flow control: the server does not read
 * fast enough), the writes due on it are not sent, and counted as "not sent": offered is what
 * went on the wire, against the target rate.
 *
 * <pre>java -cp kv-cli's classpath io.kvorum.cli.bench.OpenLoopWrites ENDPOINTS RATE SECONDS
 *     [STREAMS_PER_ENDPOINT=2] [KEYS=10000] [VALUE_BYTES=256] [TIMEOUT_MS=5000] [PREFIX=/bench]</pre>
 *
 * Keys {@code PREFIX/k0000000}... must exist (as {@code kvorum bench} leaves them). Progress,
 * one line a second, to stderr; a JSON summary with the per-second series to stdout.
 */
public final class OpenLoopWrites {
    private static final int MAX_ITEMS_PER_MESSAGE = 256;
    /** Send times by item id modulo this; a stream never has this many items unanswered. */
    private static final int RING = 1 << 16;
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);
    private static final int RESOURCE_EXHAUSTED = Status.Code.RESOURCE_EXHAUSTED.value();

    private final byte[][] setRequests;
    private final long timeoutMillis;
    private final Random random = new Random(1);
    private final LongAdder sent = new LongAdder();
    private final LongAdder notSent = new LongAdder();
    private final LongAdder ok = new LongAdder();
    private final LongAdder exhausted = new LongAdder();
    private final LongAdder otherErrors = new LongAdder();
    private final TreeMap<Integer, LongAdder> errorsByCode = new TreeMap<>();
    private final Recorder okLatency = new Recorder(MAX_MICROS, 3);

    private OpenLoopWrites(byte[][] setRequests, long timeoutMillis) {
        this.setRequests = setRequests;
        this.timeoutMillis = timeoutMillis;
        for (Status.Code c : Status.Code.values()) {
            errorsByCode.put(c.value(), new LongAdder());
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: OpenLoopWrites ENDPOINTS RATE SECONDS [STREAMS_PER_ENDPOINT] [KEYS]"
                    + " [VALUE_BYTES] [TIMEOUT_MS] [PREFIX]");
            System.exit(2);
        }
        String[] endpoints = args[0].split(",");
        double rate = Double.parseDouble(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int streamsPerEndpoint = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        int keys = args.length > 4 ? Integer.parseInt(args[4]) : 10_000;
        int valueBytes = args.length > 5 ? Integer.parseInt(args[5]) : 256;
        long timeoutMillis = args.length > 6 ? Long.parseLong(args[6]) : 5_000;
        String prefix = args.length > 7 ? args[7] : "/bench";
        KeySpace space = new KeySpace(prefix, keys);
        byte[] value = new byte[valueBytes];
        new Random(7).nextBytes(value);
        byte[][] requests = new byte[keys][];
        for (int i = 0; i < keys; i++) {
            requests[i] = SetRequest.newBuilder().setPath(space.path(i)).setData(ByteString.copyFrom(value))
                    .setExpectedVersion(-1).build().toByteArray();
        }
        new OpenLoopWrites(requests, timeoutMillis).run(endpoints, streamsPerEndpoint, rate, seconds);
    }

    private void run(String[] endpoints, int streamsPerEndpoint, double rate, int seconds) throws InterruptedException {
        List<ManagedChannel> channels = new ArrayList<>();
        List<Stream> streams = new ArrayList<>();
        for (String e : endpoints) {
            String[] hp = e.trim().split(":");
            ManagedChannel ch = NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext()
                    .directExecutor().build();
            channels.add(ch);
            for (int i = 0; i < streamsPerEndpoint; i++) {
                streams.add(new Stream(ch));
            }
        }
        StringBuilder series = new StringBuilder();
        Histogram total = new Histogram(MAX_MICROS, 3);
        Histogram reuse = null;
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long nextReport = start + TimeUnit.SECONDS.toNanos(1);
        long due = 0;
        int next = 0;
        long[] last = new long[5];
        while (true) {
            long now = System.nanoTime();
            if (now >= nextReport || now >= end) {
                reuse = okLatency.getIntervalHistogram(reuse);
                total.add(reuse);
                long[] cur = {sent.sum(), notSent.sum(), ok.sum(), exhausted.sum(), otherErrors.sum()};
                String line = String.format(Locale.ROOT, "{\"t\":%.1f,\"sent\":%d,\"notSent\":%d,\"ok\":%d,"
                                + "\"exhausted\":%d,\"otherErrors\":%d,\"okP50Ms\":%.2f,\"okP99Ms\":%.2f}",
                        (now - start) / 1e9, cur[0] - last[0], cur[1] - last[1], cur[2] - last[2],
                        cur[3] - last[3], cur[4] - last[4], reuse.getValueAtPercentile(50) / 1e3,
                        reuse.getValueAtPercentile(99) / 1e3);
                System.err.println(line);
                series.append(series.length() == 0 ? "" : ",\n    ").append(line);
                last = cur;
                nextReport += TimeUnit.SECONDS.toNanos(1);
                if (now >= end) {
                    break;
                }
            }
            long target = (long) ((now - start) * rate / 1e9);
            long n = target - due;
            due = target;
            // Round-robin over the streams, each message at most MAX_ITEMS_PER_MESSAGE items.
            int share = (int) Math.max(1, Math.min(MAX_ITEMS_PER_MESSAGE, (n + streams.size() - 1) / streams.size()));
            while (n > 0) {
                int k = (int) Math.min(n, share);
                streams.get(next).offer(k, now);
                next = (next + 1) % streams.size();
                n -= k;
            }
            LockSupport.parkNanos(500_000);
        }
        // Answers to what is still in flight are not waited for: the run is over.
        for (Stream s : streams) {
            s.call.cancel("the run is over", null);
        }
        for (ManagedChannel ch : channels) {
            ch.shutdownNow();
        }
        double s = seconds;
        StringBuilder codes = new StringBuilder();
        errorsByCode.forEach((code, n) -> {
            if (n.sum() > 0) {
                codes.append(codes.length() == 0 ? "" : ",").append('"').append(Status.Code.values()[code]).append("\":")
                        .append(n.sum());
            }
        });
        System.out.printf(Locale.ROOT, "{\"targetRate\":%.0f,\"seconds\":%d,\"streams\":%d,\"sent\":%d,\"notSent\":%d,"
                        + "\"offeredPerSecond\":%.0f,\"ok\":%d,\"okPerSecond\":%.0f,\"exhausted\":%d,\"otherErrors\":%d,"
                        + "\"errorsByCode\":{%s},\"okLatencyMillis\":{\"p50\":%.2f,\"p99\":%.2f,\"p999\":%.2f,\"max\":%.2f},"
                        + "\n  \"perSecond\":[\n    %s]}%n",
                rate, seconds, streams.size(), sent.sum(), notSent.sum(), sent.sum() / s, ok.sum(), ok.sum() / s,
                exhausted.sum(), otherErrors.sum(), codes, total.getValueAtPercentile(50) / 1e3,
                total.getValueAtPercentile(99) / 1e3, total.getValueAtPercentile(99.9) / 1e3,
                total.getMaxValue() / 1e3, series);
    }

    /** One Batch stream: its items' ids count up; their send times wait in a ring by id. */
    private final class Stream extends ClientCall.Listener<long[]> {
        final ClientCall<byte[], long[]> call;
        final long[] sentAt = new long[RING];
        long nextId = 1;

        Stream(ManagedChannel ch) {
            call = ch.newCall(BATCH, CallOptions.DEFAULT);
            // Refusals as ids packed with one error, as kv-client asks for them (kvorum.proto).
            call.start(this, BatchRefusals.asking());
            call.request(Integer.MAX_VALUE);
        }

        /** Sends {@code k} writes to random keys in one message, or counts them not sent. */
        void offer(int k, long now) {
            if (!call.isReady()) {
                notSent.add(k);
                return;
            }
            byte[][] items = new byte[k][];
            long[] ids = new long[k];
            for (int i = 0; i < k; i++) {
                items[i] = setRequests[random.nextInt(setRequests.length)];
                ids[i] = nextId++;
                sentAt[(int) (ids[i] & (RING - 1))] = now;
            }
            byte[] message = encodeBatch(ids, items, timeoutMillis);
            call.sendMessage(message);
            sent.add(k);
        }

        /** Answers as (id, status code) pairs, as {@link OpenLoopWrites#scanResults} reads them. */
        @Override
        public void onMessage(long[] results) {
            long now = System.nanoTime();
            for (int i = 0; i < results.length; i += 2) {
                int code = (int) results[i + 1];
                if (code == 0) {
                    ok.increment();
                    long nanos = now - sentAt[(int) (results[i] & (RING - 1))];
                    okLatency.recordValue(Math.min(MAX_MICROS, Math.max(1, nanos / 1_000)));
                } else if (code == RESOURCE_EXHAUSTED) {
                    exhausted.increment();
                    errorsByCode.get(code).increment();
                } else {
                    otherErrors.increment();
                    LongAdder n = errorsByCode.get(code);
                    if (n != null) {
                        n.increment();
                    }
                }
            }
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
            if (!status.isOk() && status.getCode() != Status.Code.CANCELLED) {
                System.err.println("a Batch stream ended: " + status);
            }
        }
    }

    /** A BatchRequest of Set items: ids[i] with the encoded SetRequest sets[i], each with the timeout. */
    static byte[] encodeBatch(long[] ids, byte[][] sets, long timeoutMillis) {
        int size = 0;
        for (int i = 0; i < ids.length; i++) {
            int item = itemSize(ids[i], sets[i], timeoutMillis);
            size += CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(item) + item;
        }
        byte[] message = new byte[size];
        CodedOutputStream out = CodedOutputStream.newInstance(message);
        try {
            for (int i = 0; i < ids.length; i++) {
                out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(itemSize(ids[i], sets[i], timeoutMillis));
                out.writeUInt64(1, ids[i]);
                out.writeInt64(2, timeoutMillis);
                out.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(sets[i].length);
                out.writeRawBytes(sets[i]);
            }
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return message;
    }

    private static int itemSize(long id, byte[] set, long timeoutMillis) {
        return CodedOutputStream.computeUInt64Size(1, id) + CodedOutputStream.computeInt64Size(2, timeoutMillis)
                + CodedOutputStream.computeTagSize(4) + CodedOutputStream.computeUInt32SizeNoTag(set.length)
                + set.length;
    }

    /** kvorum.v1.KV/Batch with pre-encoded requests and answers scanned, not built. */
    private static final MethodDescriptor<byte[], long[]> BATCH = MethodDescriptor.<byte[], long[]>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName("kvorum.v1.KV/Batch")
            .setRequestMarshaller(new MethodDescriptor.Marshaller<>() {
                @Override
                public InputStream stream(byte[] value) {
                    return new BytesStream(value);
                }

                @Override
                public byte[] parse(InputStream stream) {
                    throw new UnsupportedOperationException("the generator only sends requests");
                }
            })
            .setResponseMarshaller(new MethodDescriptor.Marshaller<>() {
                @Override
                public InputStream stream(long[] value) {
                    throw new UnsupportedOperationException("the generator only reads answers");
                }

                @Override
                public long[] parse(InputStream stream) {
                    try {
                        return scanResults(CodedInputStream.newInstance(stream));
                    } catch (IOException e) {
                        throw Status.INTERNAL.withDescription("unreadable BatchResponse").withCause(e).asRuntimeException();
                    }
                }
            })
            .build();

    /**
     * A BatchResponse's results as (id, code) pairs: code 0 for a result, else its BatchError's
     * code (BatchResponse.results = 1; BatchResult.id = 1, .error = 8; BatchError.code = 1), then
     * its refusals' ids with their error's code (BatchResponse.refusals = 2; BatchRefusal.ids = 1,
     * packed, .error = 2).
     */
    private static final int RESULT_TAG = 1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int REFUSAL_TAG = 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int PACKED_IDS_TAG = 1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int REFUSAL_ERROR_TAG = 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    /** Field 1, a varint: BatchResult.id and BatchError.code alike. */
    private static final int ID_TAG = 1 << 3 | WireFormat.WIRETYPE_VARINT;
    private static final int ERROR_TAG = 8 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    static long[] scanResults(CodedInputStream in) throws IOException {
        long[] out = new long[16];
        int n = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == REFUSAL_TAG) {
                long[] ids = new long[64];
                int k = 0;
                long code = Status.Code.UNKNOWN.value();
                int limit = in.pushLimit(in.readRawVarint32());
                for (int t = in.readTag(); t != 0; t = in.readTag()) {
                    if (t == PACKED_IDS_TAG) {
                        int idsLimit = in.pushLimit(in.readRawVarint32());
                        while (in.getBytesUntilLimit() > 0) {
                            if (k == ids.length) {
                                ids = Arrays.copyOf(ids, 2 * k);
                            }
                            ids[k++] = in.readUInt64();
                        }
                        in.popLimit(idsLimit);
                    } else if (t == ID_TAG) {
                        if (k == ids.length) {
                            ids = Arrays.copyOf(ids, 2 * k);
                        }
                        ids[k++] = in.readUInt64();
                    } else if (t == REFUSAL_ERROR_TAG) {
                        code = errorCode(in);
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(limit);
                if (n + 2 * k > out.length) {
                    out = Arrays.copyOf(out, Math.max(2 * out.length, n + 2 * k));
                }
                for (int i = 0; i < k; i++) {
                    out[n++] = ids[i];
                    out[n++] = code;
                }
                continue;
            }
            if (tag != RESULT_TAG) {
                in.skipField(tag);
                continue;
            }
            int limit = in.pushLimit(in.readRawVarint32());
            long id = 0;
            long code = 0;
            for (int t = in.readTag(); t != 0; t = in.readTag()) {
                if (t == ID_TAG) {
                    id = in.readUInt64();
                } else if (t == ERROR_TAG) {
                    code = errorCode(in);
                } else {
                    in.skipField(t);
                }
            }
            in.popLimit(limit);
            if (n + 2 > out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            out[n++] = id;
            out[n++] = code;
        }
        return Arrays.copyOf(out, n);
    }

    /** The code of the BatchError that comes next (its length first). */
    private static long errorCode(CodedInputStream in) throws IOException {
        int errorLimit = in.pushLimit(in.readRawVarint32());
        long code = Status.Code.UNKNOWN.value();
        for (int et = in.readTag(); et != 0; et = in.readTag()) {
            if (et == ID_TAG) {
                code = in.readInt32();
            } else {
                in.skipField(et);
            }
        }
        in.popLimit(errorLimit);
        return code;
    }

    /** A byte array the transport can size and copy at once. */
    private static final class BytesStream extends ByteArrayInputStream implements KnownLength, Drainable {
        BytesStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int n = count - pos;
            target.write(buf, pos, n);
            pos = count;
            return n;
        }
    }
}
