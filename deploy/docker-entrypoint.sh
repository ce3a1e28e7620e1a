#!/usr/bin/env bash
# Starts one Rebound service (or the rebound CLI) inside the image; see deploy/Dockerfile.
set -euo pipefail

service="${1:-ledger}"
shift || true

# In a cluster each member must advertise an address the others can reach. When compose (or the
# operator) does not set one, use this container's own address, from its hostname.
if [[ "${REBOUND_CLUSTER_ENABLED:-false}" =~ ^(true|yes|1)$ && -z "${REBOUND_CLUSTER_HOST:-}" ]]; then
  REBOUND_CLUSTER_HOST="$(hostname -i | awk '{print $1}')"
  export REBOUND_CLUSTER_HOST
fi

case "$service" in
  ledger|analyzer|retry|notifier)
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
    exec java ${JAVA_OPTS:-} -jar "/app/${service}.jar" "$@"
    ;;
  rebound)
    # shellcheck disable=SC2086
    exec java ${JAVA_OPTS:-} -jar /app/rebound.jar "$@"
    ;;
  *)
    echo "unknown service '$service': expected ledger, analyzer, retry, notifier or rebound (the CLI)" >&2
    exit 2
    ;;
esac
