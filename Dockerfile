# Keyway image: the distribution (what `mvn package` builds in dist/target/keyway-VERSION) in /opt/keyway; one image
# for the coordinator, the workers and the command line. The argument is the launcher's command:
#
#   docker build -t keyway .
#   docker run --rm -e KAFKA_BOOTSTRAP_SERVERS=... -e JDBC_URL=... -v $PWD/migrations:/migrations:ro keyway coordinator
#   docker run --rm -e KAFKA_BOOTSTRAP_SERVERS=... -e JDBC_URL=... -v $PWD/migrations:/migrations:ro keyway worker
#   docker run --rm -e KAFKA_BOOTSTRAP_SERVERS=... keyway status
#
# Your migrations: mount a directory of jars at /migrations (KEYWAY_MIGRATIONS points there; docs/WRITING-MIGRATIONS.md).
# The example migrations are in the image but off the classpath; KEYWAY_EXAMPLES=true puts them on it.
# Configuration is by environment (README): KAFKA_BOOTSTRAP_SERVERS, KAFKA_CONFIG (a client properties file, e.g. for
# SASL_SSL: mount it and its stores; docs/OPERATIONS.md), TOPIC_PREFIX, TASK_PARTITIONS, JDBC_URL, JDBC_USER,
# JDBC_PASSWORD, WORKER_NAME. JVM flags go in JAVA_OPTS.

# ---- build: the distribution ----
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# .dockerignore keeps target/, data/ and .git out; every module's pom must be here (the reactor reads them all)
COPY . .
# The cache mount keeps ~/.m2 between builds (BuildKit, the default builder of Docker 23+ and Compose v2).
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests package -pl dist -am \
 && mkdir -p /out \
 && cp -r dist/target/keyway-*/ /out/keyway

# ---- runtime ----
FROM eclipse-temurin:17-jre
RUN groupadd --system keyway \
 && useradd --system --gid keyway --home-dir /opt/keyway --no-create-home keyway \
 && mkdir -p /migrations /data \
 && chown keyway:keyway /data
COPY --from=build /out/keyway/ /opt/keyway/
WORKDIR /data
USER keyway
# the container's memory limit, not the launcher's 1 GiB default
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+UseSerialGC" \
    KEYWAY_MIGRATIONS=/migrations \
    KEYWAY_EXAMPLES=false
# exec form, and the launcher execs java: java is PID 1 and gets SIGTERM directly, so the shutdown hooks run on
# `docker stop`.
ENTRYPOINT ["/opt/keyway/bin/keyway"]
CMD ["coordinator"]
