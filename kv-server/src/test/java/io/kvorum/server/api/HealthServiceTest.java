package io.kvorum.server.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.health.v1.HealthCheckRequest;
import io.kvorum.proto.health.v1.HealthCheckResponse;
import io.kvorum.proto.health.v1.HealthCheckResponse.ServingStatus;
import io.kvorum.proto.health.v1.HealthGrpc;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.server.testing.InJvmCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standard gRPC health service on the client port: a node cut off from both other
 * members (they stop; no messages reach it) loses its leader and reports NOT_SERVING, on
 * Check and to a Watch, and reports SERVING again once they are back and a leader is elected.
 */
class HealthServiceTest {
    @Test
    void notServingWhileCutOffFromTheQuorumAndServingAgainAfter(@TempDir Path dir) throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(dir, 3, "health-test").startAll()) {
            long leader = cluster.awaitLeader();
            long lone = cluster.other(leader);
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(cluster.node(lone).channel());
            assertEquals(ServingStatus.SERVING, check(health, ""));
            assertEquals(ServingStatus.SERVING, check(health, KVGrpc.SERVICE_NAME));
            StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class,
                    () -> check(health, "no.such.Service"));
            assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());

            List<ServingStatus> watched = new CopyOnWriteArrayList<>();
            HealthGrpc.newStub(cluster.node(lone).channel()).watch(HealthCheckRequest.getDefaultInstance(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(HealthCheckResponse r) {
                            watched.add(r.getStatus());
                        }

                        @Override
                        public void onError(Throwable t) {
                        }

                        @Override
                        public void onCompleted() {
                        }
                    });
            await().atMost(Duration.ofSeconds(10)).until(() -> watched.equals(List.of(ServingStatus.SERVING)));

            // The other follower first, the leader last: stopped first, the leader would leave
            // `lone` and the other follower a quorum, and `lone` (campaigning at once when the
            // leader's stream ends) could win an election before the second stop, one more
            // SERVING in the watched sequence.
            for (long id : List.copyOf(cluster.runningIds())) {
                if (id != lone && id != leader) {
                    cluster.stop(id);
                }
            }
            cluster.stop(leader);
            await().atMost(Duration.ofSeconds(30)).until(() -> check(health, "") == ServingStatus.NOT_SERVING);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    watched.equals(List.of(ServingStatus.SERVING, ServingStatus.NOT_SERVING)));

            cluster.restartStopped();
            cluster.awaitLeader();
            await().atMost(Duration.ofSeconds(30)).until(() -> check(health, "") == ServingStatus.SERVING);
            await().atMost(Duration.ofSeconds(10)).until(() -> watched.equals(
                    List.of(ServingStatus.SERVING, ServingStatus.NOT_SERVING, ServingStatus.SERVING)));
        }
    }

    private static ServingStatus check(HealthGrpc.HealthBlockingStub health, String service) {
        return health.withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }
}
