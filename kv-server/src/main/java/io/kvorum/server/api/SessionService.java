package io.kvorum.server.api;

import io.grpc.stub.StreamObserver;
import io.kvorum.proto.internal.v1.CloseSession;
import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.CommandResult.ResultCase;
import io.kvorum.proto.internal.v1.OpenSession;
import io.kvorum.proto.v1.CloseSessionRequest;
import io.kvorum.proto.v1.CloseSessionResponse;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.KeepAliveRequest;
import io.kvorum.proto.v1.KeepAliveResponse;
import io.kvorum.proto.v1.OpenSessionRequest;
import io.kvorum.proto.v1.OpenSessionResponse;
import io.kvorum.proto.v1.SessionGrpc;
import io.kvorum.server.housekeeping.SessionKeeper;
import io.kvorum.server.node.RaftNode;
import io.kvorum.server.state.CoordinationState;
import java.time.Duration;

/**
 * The Session service: Open and Close are replicated commands; a KeepAlive stream answers
 * each request and tells the {@link SessionKeeper}, which batches the touches into the log
 * and (on the leader) decides expiry.
 */
final class SessionService extends SessionGrpc.SessionImplBase {
    private final RaftNode node;
    private final CoordinationState state;
    private final RequestValidator validator;
    private final Proposer proposer;
    private final SessionKeeper keeper;
    private final Headers headers;
    private final Replies replies;
    private final Errors errors;
    private final Duration defaultDeadline;
    private final DeadlineTimer deadlines;

    SessionService(RaftNode node, CoordinationState state, RequestValidator validator, Proposer proposer,
                   SessionKeeper keeper, Headers headers, Replies replies, Errors errors, Duration defaultDeadline,
                   DeadlineTimer deadlines) {
        this.node = node;
        this.state = state;
        this.validator = validator;
        this.proposer = proposer;
        this.keeper = keeper;
        this.headers = headers;
        this.replies = replies;
        this.errors = errors;
        this.defaultDeadline = defaultDeadline;
        this.deadlines = deadlines;
    }

    /** Whether session {@code id} is open in this node's applied state (weakly consistent, as the state's session table). */
    boolean lives(long id) {
        return state.sessions().containsKey(id);
    }

    @Override
    public void open(OpenSessionRequest r, StreamObserver<OpenSessionResponse> out) {
        replies.reply(out, () -> {
            validator.openSession(r);
            Command.Builder c = Command.newBuilder().setHeader(r.getHeader())
                    .setOpenSession(OpenSession.newBuilder().setTtlMillis(r.getTtlMillis()));
            return proposer.propose(c, Deadlines.remainingMillis(defaultDeadline)).thenApply(res -> {
                OpenSessionResponse o = Proposer.expect(res, ResultCase.OPEN_SESSION).getOpenSession();
                return o.toBuilder().setHeader(headers.complete(o.getHeader(), state.revision())).build();
            });
        });
    }

    @Override
    public void close(CloseSessionRequest r, StreamObserver<CloseSessionResponse> out) {
        replies.reply(out, () -> {
            validator.header(r.getHeader());
            if (r.getSessionId() == 0) {
                throw Errors.of(ErrorReason.INVALID_DATA, "session_id is required to close a session");
            }
            Command.Builder c = Command.newBuilder().setHeader(r.getHeader())
                    .setCloseSession(CloseSession.newBuilder().setSessionId(r.getSessionId()));
            return proposer.propose(c, Deadlines.remainingMillis(defaultDeadline)).thenApply(res -> {
                CloseSessionResponse o = Proposer.expect(res, ResultCase.CLOSE_SESSION).getCloseSession();
                return o.toBuilder().setHeader(headers.complete(o.getHeader(), state.revision())).build();
            });
        });
    }

    @Override
    public StreamObserver<KeepAliveRequest> keepAlive(StreamObserver<KeepAliveResponse> out) {
        return new StreamObserver<>() {
            @Override
            public void onNext(KeepAliveRequest r) {
                long id = r.getSessionId();
                Long ttl = state.sessions().get(id);
                if (ttl != null) {
                    answerOnceTouched(id, ttl);
                    return;
                }
                // Unknown here: this node may not have applied the Open yet. A barrier makes the
                // "expired" answer linearizable, so a live session is never declared gone.
                deadlines.orTimeout(node.readBarrier(), defaultDeadline.toMillis())
                        .whenComplete((index, failure) -> {
                            if (failure != null) {
                                fail(failure);
                                return;
                            }
                            Long t = state.sessions().get(id);
                            if (t != null) {
                                answerOnceTouched(id, t);
                            } else {
                                send(id, null);
                            }
                        });
            }

            /**
             * Answers only after the touch committed (see SessionKeeper#keptAlive). No answer
             * within the TTL means no quorum heard it: the client, missing answers, moves on.
             */
            private void answerOnceTouched(long id, long ttl) {
                deadlines.orTimeout(keeper.keptAlive(id), ttl).whenComplete((v, e) -> {
                    if (e == null) {
                        send(id, ttl);
                    }
                });
            }

            private void send(long id, Long ttl) {
                KeepAliveResponse.Builder b = KeepAliveResponse.newBuilder().setHeader(headers.of(state.revision()))
                        .setSessionId(id);
                if (ttl == null) {
                    b.setExpired(true);
                } else {
                    b.setTtlMillis(ttl);
                }
                synchronized (out) {
                    try {
                        out.onNext(b.build());
                    } catch (RuntimeException e) {
                        // the stream is gone: the client reconnects and keeps alive again
                    }
                }
            }

            private void fail(Throwable failure) {
                synchronized (out) {
                    try {
                        out.onError(errors.toStatus(failure));
                    } catch (RuntimeException e) {
                        // already closed
                    }
                }
            }

            @Override
            public void onError(Throwable t) {
                // The client went away; its session lives on until its TTL passes.
            }

            @Override
            public void onCompleted() {
                synchronized (out) {
                    try {
                        out.onCompleted();
                    } catch (RuntimeException e) {
                        // already closed
                    }
                }
            }
        };
    }
}
