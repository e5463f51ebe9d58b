# Keyway image: one image for the coordinator and the workers; the main class is the command.
#
#   docker build -t keyway .
#   docker run --rm -e KAFKA_BOOTSTRAP_SERVERS=... -e JDBC_URL=... keyway dev.keyway.coordinator.CoordinatorMain
#   docker run --rm -e KAFKA_BOOTSTRAP_SERVERS=... -e JDBC_URL=... keyway dev.keyway.worker.WorkerMain
#
# Configuration is by environment (see CoordinatorMain / WorkerMain): KAFKA_BOOTSTRAP_SERVERS, TOPIC_PREFIX,
# TASK_PARTITIONS, JDBC_URL, JDBC_USER, JDBC_PASSWORD, WORKER_NAME. JVM flags go in JAVA_TOOL_OPTIONS
# (e.g. -XX:MaxRAMPercentage=75), which the JVM reads by itself.
#
# Migrations are found with ServiceLoader on the classpath: every jar in /app/lib is on it, so a
# migrations jar of your own can be added with a derived image (COPY my-migrations.jar /app/lib/).

# ---- build: compile coordinator and worker (and what they need), collect runtime jars ----
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# .dockerignore keeps target/, data/ and .git out; every module's pom must be here (the reactor reads them all)
COPY . .
# The cache mount keeps ~/.m2 between builds (BuildKit, the default builder of Docker 23+ and Compose v2).
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests package dependency:copy-dependencies -DincludeScope=runtime -pl coordinator,worker,examples -am \
 && mkdir -p /out/lib \
 && for m in api common examples coordinator worker; do \
        cp "$m"/target/*.jar /out/lib/; \
        if [ -d "$m/target/dependency" ]; then cp "$m"/target/dependency/*.jar /out/lib/; fi; \
    done \
 && ls /out/lib | sort > /out/classpath.txt

# ---- runtime ----
FROM eclipse-temurin:17-jre
RUN groupadd --system keyway \
 && useradd --system --gid keyway --home-dir /app --no-create-home keyway \
 && mkdir -p /app/lib /app/data \
 && chown keyway:keyway /app/data
WORKDIR /app
COPY --from=build /out/lib/ /app/lib/
COPY --from=build /out/classpath.txt /app/classpath.txt
USER keyway
# exec form: java is PID 1 and gets SIGTERM directly, so the shutdown hooks run on `docker stop`.
# "/app/lib/*" is expanded by java itself (classpath wildcard), not by a shell.
ENTRYPOINT ["java", "-cp", "/app/lib/*"]
CMD ["dev.keyway.coordinator.CoordinatorMain"]
