package io.kvorum.server.state;

import io.kvorum.proto.v1.Stat;

/** A node's data and stat as stored; {@code data} is the caller's own copy. */
public record NodeRecord(String path, byte[] data, Stat stat) {
}
