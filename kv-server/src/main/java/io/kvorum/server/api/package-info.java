/**
 * The client-facing gRPC API of kvorum.proto (services KV, Watch, Session, Cluster), served by
 * {@link io.kvorum.server.api.ClientServer} on each node's client port.
 *
 * <h2>Paths through this package</h2>
 * <ul>
 *   <li><b>Every request</b> is parsed by {@link io.kvorum.server.api.RequestParsing} (bytes that
 *   do not parse, e.g. a string that is not UTF-8, get INVALID_ARGUMENT naming the field) and
 *   checked by {@link io.kvorum.server.api.RequestValidator} (paths, sizes, modes, headers), so
 *   bad input never reaches the raft log.</li>
 *   <li><b>Writes</b> become a {@code Command} proposed through raft by
 *   {@link io.kvorum.server.api.Proposer} on whichever node received them (followers forward
 *   inside raft); the state machine's answer, or its {@code CommandError}, comes back when this
 *   node applied the command. Exactly-once retries rest on the request header's client id and
 *   sequence, which the state machine deduplicates.</li>
 *   <li><b>Reads</b> pass {@link io.kvorum.server.api.ReadGate}: a ReadIndex barrier for
 *   LINEARIZABLE (also on followers), or a wait for {@code min_revision} for SERIALIZABLE; then
 *   they read this node's copy of the state on the API executor.</li>
 *   <li><b>Batch streams</b> ({@link io.kvorum.server.api.BatchStream}) carry many point calls
 *   over one stream, each run by the same {@code KvService} function as its unary call; results
 *   completing in one burst (one inbound message, one round of the apply stage, see
 *   {@link io.kvorum.proto.batch.MessageBurst}) leave as one message.</li>
 *   <li><b>Watches</b>: the {@link io.kvorum.server.api.WatchHub} hands each committed revision,
 *   on the thread that applies it, to the inbox of each stream watching one of its paths
 *   (found through an index of watched paths); each {@code WatchStream} files and sends on its
 *   own serial executor under gRPC flow control, replaying history first (see
 *   {@code ActiveWatch} for the exactly-once, in-order argument).</li>
 *   <li><b>Sessions</b>: {@link io.kvorum.server.api.SessionService} answers keep-alives once the
 *   housekeeping package's {@code SessionKeeper} replicated them; expiry is decided there.</li>
 *   <li><b>Errors</b>: {@link io.kvorum.server.api.Errors} maps every failure to the status and
 *   {@code google.rpc.ErrorInfo} kvorum.proto's header promises.</li>
 * </ul>
 *
 * <p>Threads: the point KV calls (create, set, delete, multi, get, exists) run on the Netty
 * thread that read them (they only validate and queue, or look up one key); the others run on
 * the API pool. The thread that applies (the node's apply thread, or its raft loop standing in
 * for an idle apply stage) completes proposal and barrier futures: small answers
 * (a write's stat, a point read) are produced and sent from there, avoiding a hand-off per
 * call; a page of children moves to the API pool first.
 */
package io.kvorum.server.api;
