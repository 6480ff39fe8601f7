#!/bin/sh
# First start of the compose stack's PostgreSQL (docker-entrypoint-initdb.d): one database per
# consumer, each owned by its own role, so a leaked MLflow or Dagster password never reaches the
# trading data. POSTGRES_USER (grouplake) owns the transactional database `grouplake`.
# Passwords go in as psql variables (:'name' quotes them), never spliced into the SQL text.
set -eu
psql -v ON_ERROR_STOP=1 -v dagster_pw="$DAGSTER_DB_PASSWORD" -v mlflow_pw="$MLFLOW_DB_PASSWORD" \
  --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE dagster LOGIN PASSWORD :'dagster_pw';
CREATE DATABASE dagster OWNER dagster;
CREATE ROLE mlflow LOGIN PASSWORD :'mlflow_pw';
CREATE DATABASE mlflow OWNER mlflow;
SQL
