package io.kvorum.server.api;

import static io.kvorum.server.api.Calls.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.kvorum.proto.v1.AlarmsRequest;
import io.kvorum.proto.v1.CompactRequest;
import io.kvorum.proto.v1.CompactStorageRequest;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.Op;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The space quota against a real cluster: fill it, see writes refused with the quota named
 * and the alarm raised while reads and deletes still work; delete, compact the history and
 * the storage, and write again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuotaIntegrationTest {
    private static final long QUOTA = 256 * 1024;

    @TempDir
    Path dir;

    @Test
    void fullQuotaRefusesWritesUntilDeletesAndCompactionMakeRoom() throws Exception {
        try (InJvmCluster c = new InJvmCluster(dir, 3, "quota").quotaBytes(QUOTA)) {
            c.startAll();
            long leader = c.awaitLeader();
            ByteString value = ByteString.copyFrom(new byte[32 * 1024]);
            int[] written = {0};
            StatusRuntimeException[] refusal = new StatusRuntimeException[1];
            // The size is measured once a second: keep writing until the quota bites.
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                try {
                    c.kv(leader).create(CreateRequest.newBuilder().setPath("/fill-" + written[0]).setData(value)
                            .build());
                    written[0]++;
                    return false;
                } catch (StatusRuntimeException e) {
                    refusal[0] = e;
                    return true;
                }
            });
            assertEquals(Code.RESOURCE_EXHAUSTED, refusal[0].getStatus().getCode(), refusal[0].getStatus().toString());
            assertEquals("QUOTA_EXCEEDED", ErrorDetails.reason(refusal[0]));
            assertTrue(refusal[0].getStatus().getDescription().contains("--quota-bytes=" + QUOTA),
                    refusal[0].getStatus().getDescription());
            assertTrue(written[0] * 32L * 1024 >= QUOTA / 2, "refused only after " + written[0] + " writes");
            assertTrue(c.maintenance(leader).alarms(AlarmsRequest.getDefaultInstance()).getAlarms(0)
                    .startsWith("NOSPACE"));
            expect(Code.RESOURCE_EXHAUSTED, "QUOTA_EXCEEDED", () -> c.kv(leader).set(SetRequest.newBuilder()
                    .setPath("/fill-0").setData(value).setExpectedVersion(-1).build()));
            expect(Code.RESOURCE_EXHAUSTED, "QUOTA_EXCEEDED", () -> c.kv(leader).multi(MultiRequest.newBuilder()
                    .addOps(Op.newBuilder().setCreate(CreateRequest.newBuilder().setPath("/m"))).build()));

            // Reads and deletes still work.
            assertEquals(value, c.kv(leader).get(GetRequest.newBuilder().setPath("/fill-0").build()).getData());
            long revision = 0;
            for (int i = 0; i < written[0]; i++) {
                revision = c.kv(leader).delete(DeleteRequest.newBuilder().setPath("/fill-" + i).setExpectedVersion(-1)
                        .build()).getHeader().getRevision();
            }
            assertEquals(revision, c.maintenance(leader).compact(CompactRequest.newBuilder().setRevision(revision)
                    .build()).getCompactedRevision());
            for (long id : c.runningIds()) {
                c.maintenance(id).compactStorage(CompactStorageRequest.getDefaultInstance());
            }
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                c.kv(leader).create(CreateRequest.newBuilder().setPath("/after").setData(value).build());
                return true;
            });
            assertEquals(0, c.maintenance(leader).alarms(AlarmsRequest.getDefaultInstance()).getAlarmsCount());
        }
    }

    @Test
    void compactingTheHistoryRefusesARevisionPastTheCurrentOne() throws Exception {
        try (InJvmCluster c = new InJvmCluster(dir, 1, "compact")) {
            c.startAll();
            long leader = c.awaitLeader();
            long rev = c.kv(leader).create(CreateRequest.newBuilder().setPath("/a").build()).getHeader().getRevision();
            expect(Code.INVALID_ARGUMENT, "INVALID_DATA", () -> c.maintenance(leader).compact(
                    CompactRequest.newBuilder().setRevision(rev + 5).build()));
            c.kv(leader).create(CreateRequest.newBuilder().setPath("/b").build());
            assertEquals(rev, c.maintenance(leader).compact(CompactRequest.newBuilder().setRevision(rev).build())
                    .getCompactedRevision());
            assertEquals(rev, c.node(leader).state().compactedRevision());
        }
    }
}
