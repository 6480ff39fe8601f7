#!/usr/bin/env bash
# Install the JDBC driver jars the Spark engine reads sources with (idempotent).
#
# Spark cannot download drivers here (Maven Central is unreachable), so the project takes
# them from Debian: PostgreSQL, MariaDB/MySQL and SQLite drivers land in /usr/share/java/,
# where pipelines/engines/spark_session.py finds them. Nothing is done when they are present.
# As root, missing jars are installed with apt-get; otherwise the command to run is printed.
# Exit status: 0 when the jars are there (or were installed); when they are missing and
# cannot be installed, 1 under CI=true (a missing service is a failure there), else 0.
set -euo pipefail

JAR_DIR=${GROUPLAKE_JDBC_JAR_DIR:-/usr/share/java}
JARS=(postgresql.jar mariadb-java-client.jar sqlite-jdbc.jar)
PACKAGES=(libpostgresql-jdbc-java libmariadb-java libxerial-sqlite-jdbc-java)

missing() {
  local jar
  for jar in "${JARS[@]}"; do
    [[ -e "$JAR_DIR/$jar" ]] || echo "$jar"
  done
}

todo=$(missing)
if [[ -z "$todo" ]]; then
  echo "JDBC jars present in $JAR_DIR: ${JARS[*]}"
  exit 0
fi

echo "JDBC jars missing from $JAR_DIR: $(echo $todo)"
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"; then
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
  fi
  todo=$(missing)
  if [[ -z "$todo" ]]; then
    echo "JDBC jars installed in $JAR_DIR"
    exit 0
  fi
  echo "still missing after apt-get: $(echo $todo)" >&2
else
  echo "Install them with:" >&2
  echo "  sudo apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
  echo "(or put the jars in a folder and set GROUPLAKE_JDBC_JAR_DIR / LAKE__SPARK__JARS)" >&2
fi
if [[ "${CI:-}" =~ ^(1|true|yes)$ ]]; then
  exit 1
fi
exit 0
