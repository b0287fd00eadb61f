/**
 * The HTTP/JSON front end of the client API and the service catalog, served by
 * {@link io.kvorum.server.http.HttpApiServer} on {@code --http-listen}.
 *
 * <ul>
 *   <li><b>Routing</b>: {@link io.kvorum.server.http.Router} matches method and path template;
 *   {@code HttpCall} decodes path, query and body strictly (bad input is a 4xx naming it).</li>
 *   <li><b>Access</b>: {@link io.kvorum.server.http.HttpAccess} identifies the caller of every
 *   routed request before it is served ({@code CredentialsAccess}: the cluster's users, by token,
 *   password or client certificate); the request then runs as that caller, whose rights
 *   {@link io.kvorum.server.api.ClientCalls} checks call by call as the gRPC port does.
 *   {@code AuthRoutes} logs in ({@code POST /v1/auth/authenticate}).</li>
 *   <li><b>Calls</b>: every route calls {@link io.kvorum.server.api.ClientCalls}, the gRPC
 *   services' own handlers, so data model, consistency and error reasons are the gRPC API's;
 *   {@code HttpStatuses} maps the reasons to HTTP statuses.</li>
 *   <li><b>Waiting</b>: blocking queries ({@code ChangeWaiter}) and event streams
 *   ({@code WatchRoutes}) are watches of the gRPC Watch service through
 *   {@link io.kvorum.server.api.LocalWatch}.</li>
 *   <li><b>Catalog</b>: {@code CatalogRoutes} and {@code CatalogEntry} (entries under
 *   {@code /services}, the Java ServiceRegistry recipe's layout, any number of checks per
 *   instance, Consul's passing/warning/critical); {@code HealthChecker} runs HTTP and TCP checks
 *   and expires TTL checks on the leader.</li>
 * </ul>
 */
package io.kvorum.server.http;
