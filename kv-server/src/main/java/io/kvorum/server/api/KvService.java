package io.kvorum.server.api;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.StreamObserver;
import io.kvorum.proto.internal.v1.Command;
import io.kvorum.proto.internal.v1.CommandResult.ResultCase;
import io.kvorum.proto.v1.ChildrenRequest;
import io.kvorum.proto.v1.ChildrenResponse;
import io.kvorum.proto.v1.CreateRequest;
import io.kvorum.proto.v1.CreateResponse;
import io.kvorum.proto.v1.DeleteRequest;
import io.kvorum.proto.v1.DeleteResponse;
import io.kvorum.proto.v1.ErrorReason;
import io.kvorum.proto.v1.ExistsRequest;
import io.kvorum.proto.v1.ExistsResponse;
import io.kvorum.proto.v1.GetRequest;
import io.kvorum.proto.v1.GetResponse;
import io.kvorum.proto.v1.KVGrpc;
import io.kvorum.proto.v1.MultiRequest;
import io.kvorum.proto.v1.MultiResponse;
import io.kvorum.proto.v1.SetRequest;
import io.kvorum.proto.v1.SetResponse;
import io.kvorum.server.state.ChildrenPage;
import io.kvorum.server.state.CoordinationState;
import io.kvorum.server.state.NodeRecord;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The KV service. Writes are validated, turned into a {@link Command} carrying the client's
 * header (for exactly-once retries) and proposed through raft from whichever node received
 * them; reads pass the {@link ReadGate} and then look at this node's copy of the state. The
 * point calls also arrive many to a message over a Batch stream ({@link BatchStream}), which
 * runs the same code per item.
 */
final class KvService extends KVGrpc.KVImplBase {

    private final CoordinationState state;
    private final RequestValidator validator;
    private final Proposer proposer;
    private final ReadGate reads;
    private final Headers headers;
    private final Replies replies;
    private final Duration defaultDeadline;
    private final PageSizes pageSizes;

    KvService(CoordinationState state, RequestValidator validator, Proposer proposer, ReadGate reads, Headers headers,
              Replies replies, Duration defaultDeadline, PageSizes pageSizes) {
        this.state = state;
        this.validator = validator;
        this.proposer = proposer;
        this.reads = reads;
        this.headers = headers;
        this.replies = replies;
        this.defaultDeadline = defaultDeadline;
        this.pageSizes = pageSizes;
    }

    @Override
    public void create(CreateRequest r, StreamObserver<CreateResponse> out) {
        replies.reply(out, () -> create(r, deadline()));
    }

    @Override
    public void set(SetRequest r, StreamObserver<SetResponse> out) {
        replies.reply(out, () -> set(r, deadline()));
    }

    @Override
    public void delete(DeleteRequest r, StreamObserver<DeleteResponse> out) {
        replies.reply(out, () -> delete(r, deadline()));
    }

    @Override
    public void multi(MultiRequest r, StreamObserver<MultiResponse> out) {
        replies.reply(out, () -> multi(r, deadline()));
    }

    @Override
    public void get(GetRequest r, StreamObserver<GetResponse> out) {
        replies.reply(out, () -> get(r, deadline()));
    }

    @Override
    public void exists(ExistsRequest r, StreamObserver<ExistsResponse> out) {
        replies.reply(out, () -> exists(r, deadline()));
    }

    // The point calls, shared by the unary handlers and Batch streams. Each may throw (a
    // validation error) or return a future that fails; {@code timeoutMillis} bounds the wait.

    CompletableFuture<CreateResponse> create(CreateRequest r, long timeoutMillis) {
        validator.create(r);
        return proposer.propose(Command.newBuilder().setHeader(r.getHeader()).setCreate(r), timeoutMillis)
                .thenApply(res -> {
                    CreateResponse c = Proposer.expect(res, ResultCase.CREATE).getCreate();
                    return c.toBuilder().setHeader(headers.complete(c.getHeader(), state.revision())).build();
                });
    }

    CompletableFuture<SetResponse> set(SetRequest r, long timeoutMillis) {
        validator.set(r);
        return proposer.propose(Command.newBuilder().setHeader(r.getHeader()).setSet(r), timeoutMillis)
                .thenApply(res -> {
                    SetResponse s = Proposer.expect(res, ResultCase.SET).getSet();
                    return s.toBuilder().setHeader(headers.complete(s.getHeader(), state.revision())).build();
                });
    }

    CompletableFuture<DeleteResponse> delete(DeleteRequest r, long timeoutMillis) {
        validator.delete(r);
        return proposer.propose(Command.newBuilder().setHeader(r.getHeader()).setDelete(r), timeoutMillis)
                .thenApply(res -> {
                    DeleteResponse d = Proposer.expect(res, ResultCase.DELETE).getDelete();
                    return d.toBuilder().setHeader(headers.complete(d.getHeader(), state.revision())).build();
                });
    }

    CompletableFuture<MultiResponse> multi(MultiRequest r, long timeoutMillis) {
        validator.multi(r);
        return proposer.propose(Command.newBuilder().setHeader(r.getHeader()).setMulti(r), timeoutMillis)
                .thenApply(res -> {
                    MultiResponse m = Proposer.expect(res, ResultCase.MULTI).getMulti();
                    return m.toBuilder().setHeader(headers.complete(m.getHeader(), state.revision())).build();
                });
    }

    CompletableFuture<GetResponse> get(GetRequest r, long timeoutMillis) {
        validator.read(r.getPath(), r.getConsistency(), r.getMinRevision());
        return reads.readPoint(r.getConsistency(), r.getMinRevision(), timeoutMillis, () -> {
            long revision = state.revision();
            NodeRecord n = state.get(r.getPath()).orElseThrow(() -> Errors.of(ErrorReason.NO_NODE,
                    "node " + PathRules.quote(r.getPath()) + " does not exist", "path", r.getPath()));
            return GetResponse.newBuilder().setHeader(headers.of(revision))
                    // The record's array is ours alone (the state copies it out): wrap, don't copy.
                    .setData(UnsafeByteOperations.unsafeWrap(n.data())).setStat(n.stat()).build();
        });
    }

    CompletableFuture<ExistsResponse> exists(ExistsRequest r, long timeoutMillis) {
        validator.read(r.getPath(), r.getConsistency(), r.getMinRevision());
        return reads.readPoint(r.getConsistency(), r.getMinRevision(), timeoutMillis, () -> {
            long revision = state.revision();
            Optional<NodeRecord> n = state.get(r.getPath());
            ExistsResponse.Builder b = ExistsResponse.newBuilder().setHeader(headers.of(revision))
                    .setExists(n.isPresent());
            n.ifPresent(x -> b.setStat(x.stat()));
            return b.build();
        });
    }

    @Override
    public void children(ChildrenRequest r, StreamObserver<ChildrenResponse> out) {
        replies.reply(out, () -> {
            validator.children(r);
            String after = PageTokens.decode(r.getPageToken(), r.getPath());
            int pageSize = pageSizes.resolve(r.getPageSize());
            return reads.read(r.getConsistency(), r.getMinRevision(), deadline(), () -> {
                ChildrenPage page = state.children(r.getPath(), pageSize, after, r.getIncludeStat());
                return ChildrenResponse.newBuilder().setHeader(headers.of(page.revision()))
                        .addAllChildren(page.children()).setNextPageToken(PageTokens.encode(page.nextAfter())).build();
            });
        });
    }

    private long deadline() {
        return Deadlines.remainingMillis(defaultDeadline);
    }
}
