package io.kvorum.client.recipes;

/**
 * One request's use of a service instance: counts as outstanding for
 * {@link LoadBalancing#LEAST_OUTSTANDING} until closed. Close it when the request ends.
 */
public final class ServiceLease implements AutoCloseable {
    private final ServiceInstance instance;
    private final Runnable onClose;
    private boolean closed;

    ServiceLease(ServiceInstance instance, Runnable onClose) {
        this.instance = instance;
        this.onClose = onClose;
    }

    public ServiceInstance instance() {
        return instance;
    }

    /** Ends the request; closing twice counts once. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        onClose.run();
    }
}
