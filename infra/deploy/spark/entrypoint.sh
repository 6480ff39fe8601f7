#!/usr/bin/env bash
# Entrypoint of the grouplake-spark image. Spark on Kubernetes starts each executor pod with
# the argument `executor` and its settings in SPARK_* variables (the pip pyspark has no
# image entrypoint of its own); anything else is run as given (the backfill Job's driver
# runs `grouplake run ...` in client mode).
set -euo pipefail

if [[ "${1:-}" == "executor" ]]; then
  shift
  java_opts=()
  while IFS='=' read -r name value; do
    [[ "$name" == SPARK_JAVA_OPT_* ]] && java_opts+=("$value")
  done < <(env)
  exec java ${SPARK_EXECUTOR_MEMORY:+-Xms"$SPARK_EXECUTOR_MEMORY" -Xmx"$SPARK_EXECUTOR_MEMORY"} \
    "${java_opts[@]}" -cp "${SPARK_CLASSPATH:-}:${SPARK_HOME}/jars/*" \
    org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \
    --driver-url "$SPARK_DRIVER_URL" \
    --executor-id "$SPARK_EXECUTOR_ID" \
    --cores "$SPARK_EXECUTOR_CORES" \
    --app-id "$SPARK_APPLICATION_ID" \
    --hostname "$SPARK_EXECUTOR_POD_IP" \
    --resourceProfileId "${SPARK_RESOURCE_PROFILE_ID:-0}" \
    --podName "${SPARK_EXECUTOR_POD_NAME:-}"
fi
exec "$@"
