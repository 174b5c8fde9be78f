#!/usr/bin/env bash
# Runs the suite on both backends. PostgreSQL: VIOLETA_TEST_POSTGRES if given; otherwise
# .ci/postgres.sh installs/starts a local server. With CI=true a missing PostgreSQL fails.
set -euo pipefail
cd "$(dirname "$0")/.."

# The public report page is tested in Debian's Chromium (Playwright drives the system browser).
if [ "${CI:-}" = "true" ] && ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq chromium >&2
fi

if [ -z "${VIOLETA_TEST_POSTGRES:-}" ]; then
    if [ "${CI:-}" = "true" ]; then
        VIOLETA_TEST_POSTGRES=$(bash .ci/postgres.sh)
    elif [ "$(id -u)" = 0 ] || command -v pg_ctlcluster >/dev/null 2>&1; then
        VIOLETA_TEST_POSTGRES=$(bash .ci/postgres.sh) || {
            echo "AVISO: no se pudo arrancar PostgreSQL; las pruebas de PostgreSQL se omitirán." >&2
            VIOLETA_TEST_POSTGRES=""
        }
    else
        echo "AVISO: sin PostgreSQL local; las pruebas de PostgreSQL se omitirán (en CI son obligatorias)." >&2
    fi
fi
export VIOLETA_TEST_POSTGRES

exec .venv/bin/python -m pytest -n 2 -q "$@"
