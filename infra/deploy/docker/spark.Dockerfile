# syntax=docker/dockerfile:1.7
# The Spark image of backfills on Kubernetes (k8s/spark-backfill-job.yaml): the GroupLake image
# plus a Java runtime. pyspark and delta-spark come from requirements.lock (the `spark`
# extra), so the driver (the Job's pod, client mode) and the executors it starts run the same
# Spark, Delta and GroupLake code. Build after the base image:
#   docker build -f infra/deploy/docker/spark.Dockerfile --build-arg BASE=grouplake:0.1.0 \
#     -t grouplake-spark:0.1.0 .
ARG BASE=grouplake:0.1.0
FROM ${BASE}
USER root
# JDBC drivers of the ERP sources (LAKE__SPARK__JAR_DIR, from Debian: infra/install_jdbc_jars.sh)
COPY infra/install_jdbc_jars.sh /tmp/install_jdbc_jars.sh
RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless procps \
 && bash /tmp/install_jdbc_jars.sh \
 && rm -rf /var/lib/apt/lists/* /tmp/install_jdbc_jars.sh \
 && mkdir -p /opt/spark/work-dir && chown 10001:10001 /opt/spark/work-dir
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \
    SPARK_HOME=/opt/venv/lib/python3.11/site-packages/pyspark \
    PYSPARK_PYTHON=/opt/venv/bin/python
COPY infra/deploy/spark/entrypoint.sh /opt/spark/entrypoint.sh
USER 10001:10001
WORKDIR /opt/spark/work-dir
# executor pods get the argument `executor` (infra/deploy/spark/entrypoint.sh); the driver
# Job runs its command through the same entrypoint
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/spark/entrypoint.sh"]
CMD ["spark-submit", "--version"]
