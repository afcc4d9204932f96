#!/usr/bin/env bash
# Tessera's load benchmark (docs/BENCHMARKS.md): builds the release binary, seeds a
# PostgreSQL database, starts the server on it, runs the load scenarios with wrk at 16 and
# 64 connections, measures the database's own ceiling for the same SQL with pgbench, and
# prints EXPLAIN plans of the hot queries. Everything it writes goes to bench/.work/<database>/.
#
#   bench/run.sh                      # full scale: 10k tenants, 200k devices, 1M worklogs, 10M usage events
#   BENCH_SCALE=small bench/run.sh    # 1/100 of that, for a quick look
#   BENCH_REUSE=1 bench/run.sh        # skip dropping and seeding when the database is already seeded
#
# Needs PostgreSQL on 127.0.0.1:5432 with trust auth for user postgres (if it is stopped:
# pg_ctlcluster --skip-systemctl-redirect <version> main start), its client tools (psql,
# createdb, dropdb, pgbench), curl, and wrk (installed from Debian when missing); perf is
# used when present. Other settings, all optional:
#   BENCH_DB=bench  BENCH_PORT=18080  BENCH_DURATION=10 (seconds per run)  BENCH_CONNECTIONS="16 64"
#   BENCH_THREADS=2  BENCH_ONLY="activate validate ..." (a subset of scenarios)
#   BENCH_PGBENCH_CLIENTS=16 (pgbench -c)  BENCH_PERF=0 (no CPU profiles)
#   BENCH_METRICS_JOB=0 (keep the metrics job from running, to see the scenarios' own memory)
#   TESSERA_DB_MAX_CONNECTIONS (the server's pool, default 10)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
DB=${BENCH_DB:-bench}
WORK=$ROOT/bench/.work/$DB
mkdir -p "$WORK"

PORT=${BENCH_PORT:-18080}
DURATION=${BENCH_DURATION:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-16 64}
THREADS=${BENCH_THREADS:-2}
SCENARIOS=${BENCH_ONLY:-activate validate tenants tenant_lookup worklog_create timeline usage metrics}
export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
URL=postgres://postgres@127.0.0.1:5432/$DB
BASE=http://127.0.0.1:$PORT
ADMIN_EMAIL=admin@tessera.local
ADMIN_PASSWORD=bench-admin-password
USER_PASSWORD=tessera-bench-password
case ${BENCH_SCALE:-full} in
  full) SCALE=(--tenants 10000 --devices 200000 --worklogs 1000000 --usage-events 10000000) ;;
  small) SCALE=(--tenants 100 --devices 2000 --worklogs 10000 --usage-events 100000) ;;
  *) echo "BENCH_SCALE is full or small" >&2; exit 2 ;;
esac

log() { printf '\n== %s\n' "$*"; }

# --- tools -----------------------------------------------------------------------------
for tool in psql createdb dropdb pgbench curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (PostgreSQL client tools, curl)" >&2; exit 1; }
done
if ! command -v wrk >/dev/null; then
  log "installing wrk from Debian"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
psql -d postgres -Atc 'SELECT 1' >/dev/null || { echo "bench: no PostgreSQL on 127.0.0.1:5432" >&2; exit 1; }

echo "machine: $(nproc) cores, $(awk '/^MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- build -----------------------------------------------------------------------------
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
log "cargo build --release -p tessera-api"
cargo build --release -q -p tessera-api
BIN=$TARGET/release/tessera

# The server and the seeder read the same environment. Rate limits are per IP and every
# request here comes from 127.0.0.1, so the bench raises them far above the load it makes;
# tokens live long enough for the whole run.
export DATABASE_URL=$URL
export TESSERA_BIND=127.0.0.1:$PORT
export TESSERA_LOG=warn
export TESSERA_BOOTSTRAP_ADMIN_EMAIL=$ADMIN_EMAIL
export TESSERA_BOOTSTRAP_ADMIN_PASSWORD=$ADMIN_PASSWORD
export TESSERA_LOGIN_RATE_LIMIT=1000000
export TESSERA_ACTIVATE_RATE_LIMIT=100000000
export TESSERA_ACCESS_TOKEN_TTL_SECS=7200

# --- seed ------------------------------------------------------------------------------
if [[ ${BENCH_REUSE:-0} == 1 && -s $WORK/codes.txt ]] && psql -d "$DB" -Atc 'SELECT 1 FROM tenants LIMIT 1' >/dev/null 2>&1; then
  log "reusing the seeded database $DB"
  # Earlier runs' activations (wrk's and pgbench's) filled the bench tenants' device quota;
  # remove those devices and recount, keeping the validators, so activation is measured
  # again and not refused.
  psql -q -d "$DB" -v ON_ERROR_STOP=1 <<'SQL'
BEGIN;
DELETE FROM devices d USING activation_codes c
 WHERE d.code_id = c.id AND c.label = 'Benchmark (tessera seed)'
   AND d.fingerprint NOT LIKE 'bench-validate-%';
UPDATE activation_codes c SET use_count = (SELECT count(*) FROM devices d WHERE d.code_id = c.id)
 WHERE c.label = 'Benchmark (tessera seed)';
UPDATE tenants t SET active_devices =
       (SELECT count(*) FROM devices d WHERE d.tenant_id = t.id AND d.revoked_at IS NULL)
 WHERE t.id IN (SELECT tenant_id FROM activation_codes WHERE label = 'Benchmark (tessera seed)');
COMMIT;
SQL
else
  log "seeding $DB: ${SCALE[*]}"
  dropdb --if-exists "$DB"
  createdb "$DB"
  "$BIN" seed "${SCALE[@]}" --bench-codes 64 --password "$USER_PASSWORD" --codes-out "$WORK/codes.txt" | tee "$WORK/seed.txt"
fi

# --- server ----------------------------------------------------------------------------
SERVER_PID=
cleanup() {
  rm -f "$WORK"/*.flag
  [[ -n $SERVER_PID ]] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null || true
}
trap cleanup EXIT
if [[ ${BENCH_METRICS_JOB:-1} == 0 ]]; then
  # Claims this hour's slot of the metrics job, as another replica would, so the server
  # does not run it: separates the job's memory from the scenarios'.
  export TESSERA_METRICS_INTERVAL_SECS=3600
  psql -d "$DB" -Atc "INSERT INTO job_runs (id, job, slot, started_at, finished_at, ok, runner)
    VALUES (gen_random_uuid(), 'metrics_snapshot', $(($(date +%s) / 3600)), now(), now(), true, 'bench/run.sh')
    ON CONFLICT DO NOTHING" >/dev/null
fi
log "starting the server on $BASE"
STARTED=$(psql -d "$DB" -Atc "SELECT now()")
"$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -fs "$BASE/api/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "$BASE/api/health" >/dev/null || { echo "bench: the server did not start; see $WORK/server.log" >&2; exit 1; }

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
# CPU ticks used so far by the server.
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
# "pid ticks" of every PostgreSQL process now.
pg_snapshot() {
  local p
  for p in /proc/[0-9]*; do
    [[ $(cat "$p/comm" 2>/dev/null) == postgres ]] || continue
    echo "${p#/proc/} $(awk '{print $14 + $15}' "$p/stat" 2>/dev/null || echo 0)"
  done
}
# Ticks PostgreSQL spent for this benchmark between a snapshot and now: the backends
# connected to the bench database (others on this machine may be serving other clients)
# and the server's own background processes (WAL writer, checkpointer, ...).
pg_ticks_since() {
  local before=$1
  psql -d "$DB" -Atc "SELECT pid FROM pg_stat_activity WHERE (datname = '$DB' AND pid <> pg_backend_pid()) OR backend_type <> 'client backend'" >"$WORK/pg-pids"
  pg_snapshot | awk -v before="$before" 'FILENAME == before { t0[$1] = $2; next } FILENAME ~ /pg-pids$/ { ours[$1] = 1; next } ($1 in ours) { sum += $2 - t0[$1] } END { print sum + 0 }' "$before" "$WORK/pg-pids" -
}
HZ=$(getconf CLK_TCK)

# Peak RSS of the server while a file exists, sampled every 0.2 s.
sample_rss() {
  local flag=$1 out=$2 peak=0 r
  while [[ -e $flag ]] && kill -0 "$SERVER_PID" 2>/dev/null; do
    r=$(rss_kb 2>/dev/null || echo 0)
    ((r > peak)) && peak=$r
    sleep 0.2
  done
  echo "$peak" >"$out"
}

# The metrics job runs once at start; let it finish so it does not share the first run.
if [[ ${BENCH_METRICS_JOB:-1} != 0 ]]; then
  log "waiting for the metrics job's first run"
  touch "$WORK/job.flag"
  sample_rss "$WORK/job.flag" "$WORK/job.rss" &
  sampler=$!
  waited=0
  done_sql="FROM job_runs WHERE finished_at IS NOT NULL AND started_at >= '$STARTED'"
  until [[ $(psql -d "$DB" -Atc "SELECT count(*) $done_sql") -gt 0 ]]; do
    sleep 1
    waited=$((waited + 1))
    ((waited < 900)) || { echo "bench: the metrics job did not finish in 15 minutes" >&2; break; }
  done
  rm -f "$WORK/job.flag"
  wait "$sampler"
  JOB=$(psql -d "$DB" -Atc "SELECT round(extract(epoch FROM finished_at - started_at)::numeric, 2) || ' s, ok=' || ok $done_sql ORDER BY started_at LIMIT 1")
  echo "metrics job: $JOB; server peak RSS while it ran: $(($(cat "$WORK/job.rss") / 1024)) MB; idle RSS now: $(($(rss_kb) / 1024)) MB"
fi

# --- credentials -----------------------------------------------------------------------
json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
login() {
  curl -fs -X POST "$BASE/api/auth/login" -H 'content-type: application/json' \
    -d "{\"login\":\"$1\",\"password\":\"$2\"}" | json_field access_token
}
log "signing in (super admin, org admins of tenants 1-32) and activating 64 devices"
export BENCH_ADMIN_TOKEN
BENCH_ADMIN_TOKEN=$(login "$ADMIN_EMAIL" "$ADMIN_PASSWORD")
[[ -n $BENCH_ADMIN_TOKEN ]] || { echo "bench: super admin login failed" >&2; exit 1; }
# Owners of tenants 17-32 write worklogs; 1-16 read their timelines and send usage, so the
# reads see the seeded timelines rather than the entries the write scenario adds today.
: >"$WORK/writer-tokens.txt"
for n in $(seq 17 32); do
  token=$(login "$(printf 'owner%05d' "$n")" "$USER_PASSWORD")
  [[ -n $token ]] || { echo "bench: login as owner$n failed" >&2; exit 1; }
  echo "$token" >>"$WORK/writer-tokens.txt"
done
: >"$WORK/tokens.txt"
: >"$WORK/cursors.txt"
for n in $(seq 1 16); do
  token=$(login "$(printf 'owner%05d' "$n")" "$USER_PASSWORD")
  [[ -n $token ]] || { echo "bench: login as owner$n failed" >&2; exit 1; }
  echo "$token" >>"$WORK/tokens.txt"
  # A cursor two slices (100 entries) into this user's timeline, for the deeper reads.
  cursor=-
  c1=$(curl -fs "$BASE/api/worklogs?limit=50" -H "authorization: Bearer $token" | json_field next_cursor)
  if [[ -n $c1 ]]; then
    c2=$(curl -fs "$BASE/api/worklogs?limit=50&cursor=$c1" -H "authorization: Bearer $token" | json_field next_cursor)
    cursor=${c2:-$c1}
  fi
  echo "$cursor" >>"$WORK/cursors.txt"
done
: >"$WORK/licenses.txt"
i=0
while read -r code; do
  i=$((i + 1))
  license=$(curl -fs -X POST "$BASE/api/activate" -H 'content-type: application/json' \
    -d "{\"code\":\"$code\",\"fingerprint\":\"bench-validate-$i\",\"name\":\"Validator $i\",\"platform\":\"linux\"}" |
    json_field license)
  [[ -n $license ]] || { echo "bench: activating a validator device with a bench code failed" >&2; exit 1; }
  echo "$license" >>"$WORK/licenses.txt"
done <"$WORK/codes.txt"
# The slugs of tenants 1-100, the same at every scale, for the one-tenant lookup.
psql -d "$DB" -Atc "SELECT slug FROM tenants WHERE slug ~ '-([1-9][0-9]?|100)$' ORDER BY slug" >"$WORK/slugs.txt"
export BENCH_CODES=$WORK/codes.txt BENCH_LICENSES=$WORK/licenses.txt BENCH_TOKENS=$WORK/tokens.txt BENCH_CURSORS=$WORK/cursors.txt
export BENCH_SLUGS=$WORK/slugs.txt

# A whole-machine CPU profile of one run per scenario (the last connection count), when
# perf is installed: who used the two cores (the server, PostgreSQL, wrk, anything else
# running on the machine) and where the server spent its share.
PERF=$(command -v perf || true)
[[ ${BENCH_PERF:-1} == 0 ]] && PERF=
PERF_AT=${CONNECTIONS##* }
profile() {
  local data=$WORK/perf-$1.data comms
  comms=$(cat /proc/"$SERVER_PID"/task/*/comm 2>/dev/null | sort -u | paste -sd, -)
  perf report -i "$data" --stdio --sort comm 2>/dev/null |
    awk -v comms="$comms" 'BEGIN { n = split(comms, c, ","); for (i = 1; i <= n; i++) ours[c[i]] = 1 }
      /^ +[0-9.]+%/ { p = $1 + 0; $1 = ""; sub(/^ +/, ""); k = ($0 in ours) ? "server" : ($0 == "postgres") ? "postgres" : ($0 == "wrk") ? "wrk" : ($0 == "swapper") ? "idle" : "other"; t[k] += p }
      END { printf "CPU profile (share of both cores): server %.0f%%, postgres %.0f%%, wrk %.0f%%, other processes %.0f%%, idle %.0f%%\n", t["server"], t["postgres"], t["wrk"], t["other"], t["idle"] }' |
    tee "$WORK/perf-$1.txt"
  perf report -i "$data" --stdio --comms "$comms" --sort dso,sym 2>/dev/null | grep -E '^ +[0-9]' | head -15 >>"$WORK/perf-$1.txt" || true
}

# --- load ------------------------------------------------------------------------------
RESULTS=$WORK/results.tsv
printf 'scenario\tconnections\treq_s\tp50_ms\tp99_ms\trequests\tnon_2xx\tsocket_errors\tpeak_rss_mb\tserver_cpu_pct\tpostgres_cpu_pct\n' >"$RESULTS"
for scenario in $SCENARIOS; do
  for c in $CONNECTIONS; do
    log "$scenario, $c connections, ${DURATION}s"
    export BENCH_RESULT=$WORK/run.out
    if [[ $scenario == worklog_create ]]; then
      export BENCH_TOKENS=$WORK/writer-tokens.txt
    else
      export BENCH_TOKENS=$WORK/tokens.txt
    fi
    : >"$BENCH_RESULT"
    touch "$WORK/run.flag"
    sample_rss "$WORK/run.flag" "$WORK/run.rss" &
    sampler=$!
    s0=$(server_ticks)
    pg_snapshot >"$WORK/pg-before"
    perf_pid=
    if [[ -n $PERF && $c == "$PERF_AT" ]]; then
      rm -f "$WORK/perf-$scenario.data"
      perf record -a -F 499 -o "$WORK/perf-$scenario.data" -- sleep "$DURATION" >/dev/null 2>&1 &
      perf_pid=$!
    fi
    wrk -t"$THREADS" -c"$c" -d"${DURATION}s" --timeout 10s -s "bench/$scenario.lua" "$BASE" >"$WORK/wrk-$scenario-$c.txt" 2>&1 || true
    [[ -n $perf_pid ]] && { wait "$perf_pid" || true; profile "$scenario"; }
    rm -f "$WORK/run.flag"
    wait "$sampler"
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "bench: the server exited during $scenario; see $WORK/server.log" >&2; exit 1; }
    s1=$(server_ticks)
    pticks=$(pg_ticks_since "$WORK/pg-before")
    read -r rps p50 p99 reqs non2xx sockerr <"$BENCH_RESULT" || { cat "$WORK/wrk-$scenario-$c.txt"; exit 1; }
    rss=$(($(cat "$WORK/run.rss") / 1024))
    scpu=$(((s1 - s0) * 100 / HZ / DURATION))
    pcpu=$((pticks * 100 / HZ / DURATION))
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$c" "$rps" "$p50" "$p99" "$reqs" "$non2xx" "$sockerr" "$rss" "$scpu" "$pcpu" >>"$RESULTS"
    echo "req/s $rps  p50 ${p50} ms  p99 ${p99} ms  non-2xx $non2xx  socket errors $sockerr  peak RSS ${rss} MB  CPU: server ${scpu}%, postgres ${pcpu}%"
  done
done

# --- the ceiling: the same SQL straight from pgbench -----------------------------------
PGBENCH_CLIENTS=${BENCH_PGBENCH_CLIENTS:-16}
log "pgbench ceiling (-M prepared, $PGBENCH_CLIENTS clients, 2 threads, ${DURATION}s)"
PGB=$WORK/pgbench
rm -rf "$PGB"
mkdir -p "$PGB"
activate_args=()
while IFS='|' read -r hash id tenant plan; do
  f=$PGB/activate-$id.sql
  sed -e "s/@CODE_HASH@/$hash/g" -e "s/@CODE_ID@/$id/g" -e "s/@TENANT_ID@/$tenant/g" -e "s/@PLAN@/$plan/g" \
    bench/pgbench/activate.sql >"$f"
  activate_args+=(-f "$f@1")
done < <(psql -d "$DB" -AtF'|' -c "SELECT c.code_hash, c.id, c.tenant_id, t.plan FROM activation_codes c JOIN tenants t ON t.id = c.tenant_id WHERE c.label = 'Benchmark (tessera seed)' ORDER BY c.id")
worklog_args=()
while IFS='|' read -r tenant user; do
  f=$PGB/worklog-$user.sql
  sed -e "s/@TENANT_ID@/$tenant/g" -e "s/@USER_ID@/$user/g" bench/pgbench/worklog_create.sql >"$f"
  worklog_args+=(-f "$f@1")
done < <(psql -d "$DB" -AtF'|' -c "SELECT tenant_id, id FROM users WHERE username ~ '^owner000(1[7-9]|2[0-9]|3[0-2])$' ORDER BY username")
pgb() {
  local name=$1
  shift
  pgbench -n -M prepared -c "$PGBENCH_CLIENTS" -j 2 -T "$DURATION" -D run="$(date +%s)" "$@" "$DB" >"$WORK/pgbench-$name.txt" 2>&1 || true
  local tps lat
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench-$name.txt")
  lat=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' "$WORK/pgbench-$name.txt")
  printf '%s\t%s\t%s\n' "$name" "${tps:-?}" "${lat:-?}" >>"$WORK/pgbench.tsv"
  echo "$name: ${tps:-failed, see $WORK/pgbench-$name.txt} tps, mean latency ${lat:-?} ms"
}
printf 'script\ttps\tlatency_avg_ms\n' >"$WORK/pgbench.tsv"
pgb activate "${activate_args[@]}"
pgb worklog_create "${worklog_args[@]}"

# --- plans -----------------------------------------------------------------------------
log "EXPLAIN (ANALYZE, BUFFERS) of the hot queries -> $WORK/explain.txt"
psql -X -d "$DB" -f bench/explain.sql >"$WORK/explain.txt" 2>&1 || echo "bench: explain.sql failed, see $WORK/explain.txt"

# --- summary ---------------------------------------------------------------------------
log "summary (also in $WORK/results.tsv and pgbench.tsv)"
column -t -s$'\t' "$RESULTS" 2>/dev/null || cat "$RESULTS"
best() { awk -F'\t' -v s="$1" '$1 == s && $3 > m {m = $3} END {print m + 0}' "$RESULTS"; }
ceiling() { awk -F'\t' -v s="$1" '$1 == s {print $2 + 0}' "$WORK/pgbench.tsv"; }
for s in activate worklog_create; do
  b=$(best "$s")
  c=$(ceiling "$s")
  awk -v s="$s" -v b="$b" -v c="$c" 'BEGIN { if (b > 0 && c > 0) printf "%s: best %.0f req/s = %.0f%% of the pgbench ceiling (%.0f tps)\n", s, b, 100 * b / c, c }'
done
u=$(best usage)
awk -v u="$u" 'BEGIN { if (u > 0) printf "usage ingest: %.0f events/s (batches of 1,000)\n", u * 1000 }'
echo "server RSS at the end: $(($(rss_kb) / 1024)) MB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
