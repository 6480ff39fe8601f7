#!/bin/sh
# First start of the compose stack's PostgreSQL (docker-entrypoint-initdb.d): one database per
# consumer, each owned by its own role, so a leaked MLflow or Dagster password never reaches the
# trading data. POSTGRES_USER (grouplake) owns the transactional database `grouplake`.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE ROLE dagster LOGIN PASSWORD '${DAGSTER_DB_PASSWORD}';
CREATE DATABASE dagster OWNER dagster;
CREATE ROLE mlflow LOGIN PASSWORD '${MLFLOW_DB_PASSWORD}';
CREATE DATABASE mlflow OWNER mlflow;
SQL
