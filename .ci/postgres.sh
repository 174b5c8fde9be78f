#!/usr/bin/env bash
# Installs (Debian packages) and starts a local PostgreSQL for the test suite, then prints the
# connection string for VIOLETA_TEST_POSTGRES on stdout. Everything else goes to stderr.
# Under CI=true any failure is fatal; elsewhere the caller decides whether to go on without it.
set -euo pipefail
log() { echo "[postgres] $*" >&2; }

# In CI the machine may be new: always ask apt (a no-op when the packages are already there).
if [ "${CI:-}" = "true" ] || ! command -v pg_ctlcluster >/dev/null 2>&1 \
    || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    if [ "$(id -u)" != 0 ]; then log "PostgreSQL no está instalado y no soy root"; exit 1; fi
    log "instalando PostgreSQL (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    log "creando el clúster $version/main"
    pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | grep "^$version *main" | grep -q online; then
    log "arrancando el clúster $version/main"
    pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')

for _ in $(seq 1 30); do
    su postgres -c "psql -p $port -qAtc 'select 1'" >/dev/null 2>&1 && break
    sleep 1
done
# Two test workers, each with several terminals (sessions) open at once: each session holds
# small pools for the event, view and key stores. The default of 100 connections is tight.
if [ "$(su postgres -c "psql -p $port -qAtc 'show max_connections'")" -lt 300 ]; then
    log "max_connections = 300"
    su postgres -c "psql -p $port -qAtc 'alter system set max_connections = 300'" >&2
    pg_ctlcluster "$version" main restart >&2
    for _ in $(seq 1 30); do
        su postgres -c "psql -p $port -qAtc 'select 1'" >/dev/null 2>&1 && break
        sleep 1
    done
fi
su postgres -c "psql -p $port -qAtc \"select 1 from pg_roles where rolname='violeta_test'\"" | grep -q 1 \
    || su postgres -c "psql -p $port -qc \"create role violeta_test login createdb password 'violeta_test'\"" >&2
su postgres -c "psql -p $port -qAtc \"select 1 from pg_database where datname='violeta_test'\"" | grep -q 1 \
    || su postgres -c "createdb -p $port -O violeta_test violeta_test" >&2
echo "host=127.0.0.1 port=$port user=violeta_test password=violeta_test dbname=violeta_test"
