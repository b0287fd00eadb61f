# Kvorum container image. Build from the source tree: docker build -t kvorum:0.1.0 .
# Run one node:  docker run -e KVORUM_ID=1 -v kvorum-1:/var/lib/kvorum -p 7379:7379 kvorum:0.1.0
# Configuration comes from KVORUM_* variables (listed at the top of deploy/docker/kvorum-entrypoint)
# and/or a properties file mounted and named by KVORUM_CONFIG. kv-dist's DockerfileContractTest
# checks this file against the server's defaults.

# --- build: the release archive, by the same Maven build as everywhere else -----------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests -pl kv-dist -am package \
 && mkdir /kvorum \
 && tar -xzf kv-dist/target/kvorum-*.tar.gz -C /kvorum --strip-components=1

# --- run: a JRE, the unpacked archive, an unprivileged user ----------------------------------
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 kvorum \
 && useradd --system --uid 10001 --gid kvorum --home-dir /var/lib/kvorum --shell /usr/sbin/nologin kvorum \
 && mkdir -p /var/lib/kvorum \
 && chown kvorum:kvorum /var/lib/kvorum
COPY --from=build /kvorum /opt/kvorum
ENV PATH=/opt/kvorum/bin:$PATH \
    KVORUM_DATA_DIR=/var/lib/kvorum
USER 10001:10001
WORKDIR /var/lib/kvorum
VOLUME /var/lib/kvorum
# client (gRPC), peer (raft), admin (HTTP: /health /ready /status /metrics)
EXPOSE 7379 7380 7381
# The entrypoint execs the server: SIGTERM from 'docker stop' reaches the JVM, which stops
# gracefully; give it time (docker stop -t 30).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/kvorum/bin/kvorum-entrypoint"]
