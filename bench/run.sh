#!/usr/bin/env bash
# One benchmark run, end to end (bench/README.md): builds the project, starts (or finds) the database server of
# the mode, loads the size unless loaded, runs every case with its baseline, and writes
# bench/results/<size>-<mode>-<date>/ (summary.md, summary.json, two PNG charts; Gatling's HTML reports and the
# logs beside them, not committed).
#
#   bench/run.sh S timescaledb            # or: plain; sizes XS, S, M
#   bench/run.sh S plain --cases activity,batch10k_2 --duration 10
#
# Options after the mode go to BenchRun: --duration (s per case, 30), --baseline-duration (s, 20),
# --mixed-clients (32), --background-events (0; events/s posted beside each read case), --cases (comma-separated
# names), --phases (reads,ingest; or membership), --seed, --end, --days,
# --services (comma-separated; all three by default).
# BENCH_SERVER=postgresql://user@127.0.0.1:port uses a running server instead of starting one.
# BENCH_LABEL=x writes bench/results/<size>-<mode>-<date>-x/ instead, beside an earlier run of the same day.
set -euo pipefail
cd "$(dirname "$0")/.."
size="${1:?usage: bench/run.sh <XS|S|M> <timescaledb|plain> [options]}"
mode="${2:?usage: bench/run.sh <XS|S|M> <timescaledb|plain> [options]}"
shift 2

if [[ -n "${BENCH_SERVER:-}" ]]; then
    server="$BENCH_SERVER"
elif [[ "$mode" == timescaledb ]]; then
    server="$("${ANALYTICS_TIMESCALEDB_SETUP:-../shared/timescaledb/setup.sh}" | tail -n 1)"
elif [[ "$mode" == plain ]]; then
    server="$(bench/plain-postgres.sh | tail -n 1)"
else
    echo "mode must be timescaledb or plain, not $mode" >&2
    exit 2
fi
[[ "$server" == postgresql://*@127.0.0.1:* ]] || { echo "not a server URL on 127.0.0.1: $server" >&2; exit 2; }

mvn -B -q -DskipTests package
out="bench/results/${size}-${mode}-$(date -u +%Y-%m-%d)${BENCH_LABEL:+-$BENCH_LABEL}"
mkdir -p "$out"
java -Xmx4g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" \
    io.customeranalytics.bench.run.BenchRun --size "$size" --server "$server" --out "$out" "$@" 2>&1 \
    | grep --line-buffered -v -e 'JBossLoggerFinder' -e 'LogManager accessed before' | tee "$out/run.log"
