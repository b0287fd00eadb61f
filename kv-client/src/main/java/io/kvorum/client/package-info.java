/**
 * The Kvorum Java client.
 *
 * <p>Start with {@link io.kvorum.client.KvorumClient#builder()}. {@link io.kvorum.client.KvorumClient}
 * is the blocking API and {@link io.kvorum.client.AsyncKvorumClient} the same calls returning
 * futures; both retry within each call's deadline and carry the client's id and a per-write
 * sequence so a retried write is applied once. {@link io.kvorum.client.Session} keeps ephemeral
 * nodes alive, {@link io.kvorum.client.Watch} and {@link io.kvorum.client.KvorumCache} follow
 * changes across node failures, and every failure is a {@link io.kvorum.client.KvorumException}
 * subclass that names what went wrong. Recipes (locks, elections, service discovery) live in
 * {@link io.kvorum.client.recipes}.
 */
package io.kvorum.client;
