package io.kvorum.server.transport;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC name resolver of peer channels: resolves the peer's host through the transport's
 * {@link HostResolver} when the channel first connects and again each time gRPC asks for a
 * refresh, which it does when a connection fails or closes. gRPC's own DNS resolver would
 * ignore refreshes for 30 s after a lookup; a peer that moved must be found at once.
 *
 * <p>Channels name the scheme {@value #SCHEME} in their target and carry the peer's address
 * and resolver as the {@link #TARGET} argument (not in the URI, which cannot hold every
 * IPv6 literal). The provider is registered once, process-wide, for that scheme alone.
 */
final class PeerNameResolver extends NameResolver {
    private static final Logger log = LoggerFactory.getLogger(PeerNameResolver.class);

    static final String SCHEME = "kvorum-peer";

    /** What a channel resolves: the configured address and how to look its host up. */
    record Target(long peerId, PeerAddress address, HostResolver resolver) {
    }

    static final NameResolver.Args.Key<Target> TARGET = NameResolver.Args.Key.create("kvorum-peer-target");

    static {
        NameResolverRegistry.getDefaultRegistry().register(new Provider());
    }

    /** Ensures the provider is registered before a channel with our scheme is built. */
    static String channelTarget(long peerId) {
        return SCHEME + ":///peer-" + peerId;
    }

    private final Target target;
    private final SynchronizationContext sync;
    private final Executor offload;
    private Listener2 listener;
    private boolean resolving;
    private boolean shutdown;
    private List<InetAddress> last = List.of();

    private PeerNameResolver(Target target, Args args) {
        this.target = target;
        this.sync = args.getSynchronizationContext();
        this.offload = args.getOffloadExecutor() != null ? args.getOffloadExecutor() : Runnable::run;
    }

    @Override
    public String getServiceAuthority() {
        return target.address().toString();
    }

    @Override
    public void start(Listener2 listener) {
        this.listener = listener;
        resolve();
    }

    @Override
    public void refresh() {
        resolve();
    }

    /** Runs on the channel's synchronization context; the lookup itself runs off it (it may block). */
    private void resolve() {
        if (resolving || shutdown) {
            return;
        }
        resolving = true;
        offload.execute(() -> {
            List<InetAddress> found = null;
            UnknownHostException failure = null;
            try {
                found = target.resolver().resolve(target.address().host());
                if (found.isEmpty()) {
                    failure = new UnknownHostException(target.address().host() + ": no addresses");
                }
            } catch (UnknownHostException e) {
                failure = e;
            } catch (RuntimeException e) {
                failure = new UnknownHostException(target.address().host() + ": " + e);
            }
            List<InetAddress> addresses = found;
            UnknownHostException error = failure;
            sync.execute(() -> deliver(addresses, error));
        });
    }

    private void deliver(List<InetAddress> addresses, UnknownHostException error) {
        resolving = false;
        if (shutdown) {
            return;
        }
        if (error != null) {
            log.debug("peer {}: cannot resolve {}: {}", target.peerId(), target.address().host(), error.getMessage());
            // gRPC retries the resolution with back-off after an error.
            listener.onError(Status.UNAVAILABLE.withDescription("cannot resolve peer " + target.peerId() + " host '"
                    + target.address().host() + "'").withCause(error));
            return;
        }
        if (!addresses.equals(last)) {
            if (!last.isEmpty()) {
                log.info("peer {}: {} now resolves to {} (was {})", target.peerId(), target.address().host(),
                        addresses, last);
            }
            last = addresses;
        }
        List<SocketAddress> sockets = new ArrayList<>(addresses.size());
        for (InetAddress a : addresses) {
            sockets.add(new InetSocketAddress(a, target.address().port()));
        }
        listener.onResult(ResolutionResult.newBuilder()
                .setAddresses(List.of(new EquivalentAddressGroup(sockets)))
                .build());
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    private static final class Provider extends NameResolverProvider {
        @Override
        public NameResolver newNameResolver(URI uri, Args args) {
            if (!SCHEME.equals(uri.getScheme())) {
                return null;
            }
            Target target = args.getArg(TARGET);
            if (target == null) {
                throw new IllegalArgumentException("a " + SCHEME + " channel needs its PeerNameResolver.TARGET argument");
            }
            return new PeerNameResolver(target, args);
        }

        @Override
        public String getDefaultScheme() {
            return SCHEME;
        }

        @Override
        protected boolean isAvailable() {
            return true;
        }

        @Override
        protected int priority() {
            // Only ever chosen by scheme: channels name it explicitly.
            return 0;
        }

        @Override
        public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
            return List.of(InetSocketAddress.class);
        }
    }
}
