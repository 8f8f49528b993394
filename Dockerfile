# syntax=docker/dockerfile:1
# The `runbook-worker` image: the worker and the namespace set-up, nothing else — no CLI, no
# simulated platform, no test server (the worker module's build forbids them on its classpath).
# `docker compose` runs it as `worker` and as the one-shot `temporal-namespace` (`setup`).
#   docker build -t runbook-worker .     docker run --rm runbook-worker --help

# ---- build: the worker module and what it depends on ---------------------------------------
FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The Maven repository is a BuildKit cache, so a rebuild after a code change downloads nothing.
# -DskipTests (not -Dmaven.test.skip): test jars other modules depend on are still built.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -DskipTests package -pl worker -am

# ---- runtime: a JRE, the jar and its libraries ---------------------------------------------
FROM eclipse-temurin:17.0.17_10-jre-noble
# curl: for the compose healthcheck (GET /healthz on the metrics port).
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 10001 --user-group --create-home --shell /usr/sbin/nologin runbook
# runbook-worker.jar's manifest puts lib/*.jar on its class path.
COPY --from=build /src/worker/target/lib/ /opt/runbook/lib/
COPY --from=build /src/worker/target/runbook-worker.jar /opt/runbook/runbook-worker.jar
USER runbook
WORKDIR /home/runbook
# /metrics (Prometheus) and /healthz of `worker --metrics-port 9464`, on every interface of the
# container (the worker's own default is 127.0.0.1, which a published port cannot reach).
EXPOSE 9464
ENTRYPOINT ["java", "-jar", "/opt/runbook/runbook-worker.jar"]
CMD ["worker", "--metrics-port", "9464", "--metrics-address", "0.0.0.0"]
