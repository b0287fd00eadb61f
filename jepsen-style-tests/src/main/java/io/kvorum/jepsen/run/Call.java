package io.kvorum.jepsen.run;

import io.kvorum.jepsen.history.Type;

/**
 * One operation in flight: the invocation is recorded when the call is made (before the request
 * is sent), the completion by exactly one of {@link #ok}, {@link #fail}, {@link #info}.
 */
public final class Call {
    private final Recorder recorder;
    private final ProcessSlot slot;
    private final long process;
    private final String f;
    private final String key;
    private boolean done;

    private Call(Recorder recorder, ProcessSlot slot, String f, String key) {
        this.recorder = recorder;
        this.slot = slot;
        this.process = slot.process();
        this.f = f;
        this.key = key;
    }

    static Call invoke(Recorder recorder, ProcessSlot slot, String f, String key, Object value) {
        Call c = new Call(recorder, slot, f, key);
        recorder.record(c.process, Type.INVOKE, f, key, value, null);
        return c;
    }

    /** It certainly happened; {@code value} is its result. */
    public void ok(Object value) {
        complete(Type.OK, value, null);
    }

    /** It certainly did not happen. */
    public void fail(Object value, String why) {
        complete(Type.FAIL, value, why);
    }

    /** It may or may not have happened: the process is replaced by a new one. */
    public void info(Object value, String why) {
        complete(Type.INFO, value, why);
        slot.crashed();
    }

    /** A write that threw: fail when the cluster certainly did not apply it, else info. */
    public void failed(Object value, Throwable error) {
        if (Outcomes.certainlyNotApplied(error)) {
            fail(value, Outcomes.describe(error));
        } else {
            info(value, Outcomes.describe(error));
        }
    }

    private void complete(Type type, Object value, String why) {
        if (done) {
            throw new IllegalStateException(f + " of process " + process + " completed twice");
        }
        done = true;
        recorder.record(process, type, f, key, value, why);
    }
}
