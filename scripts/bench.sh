#!/usr/bin/env bash
# conform's speed benchmark: throughput against the wire, latency-bound runs, memory, cold start.
# Prints a Markdown table of each figure beside its target (docs/performance.md explains them).
#
#   scripts/bench.sh                     every measurement (about 2 minutes on 2 cores)
#   BENCH_REPEATS=5 scripts/bench.sh     repeats of the throughput pair (median; default 7 for nginx, 3 else)
#   COLD_ROOT=/path/to/project[:/other] scripts/bench.sh   projects whose cases/ the cold start runs
#
# Every server is started here, on 127.0.0.1, and stops by itself after 15 minutes at most.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
REPEATS=${BENCH_REPEATS:-3}
NGINX_REPEATS=${BENCH_REPEATS:-7} # the headline pair: medians of 7 unless told otherwise
COLD_ROOT=${COLD_ROOT:-$REPO}

need() { # need COMMAND PACKAGE: install a Debian package when its command is missing
    command -v "$1" >/dev/null 2>&1 && return
    echo "installing $2 (for $1)" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get install -y "$2" >/dev/null 2>&1 ||
        { $sudo apt-get update >/dev/null && $sudo apt-get install -y "$2" >/dev/null; }
}
need wrk wrk
need curl curl
[ -x /usr/bin/time ] || need /usr/bin/time time

cargo build --release --quiet --bin conform --example bench_server
CONFORM=$REPO/target/release/conform
FIXTURE=$REPO/target/release/examples/bench_server

WORK=$(mktemp -d -t conform-bench.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

start_server() { # start_server NAME DELAY_MS: sets URL
    "$FIXTURE" serve --delay-ms "$2" --max-secs 900 >"$WORK/$1.url" &
    PIDS+=($!)
    for _ in $(seq 100); do
        [ -s "$WORK/$1.url" ] && break
        sleep 0.05
    done
    URL=$(head -n1 "$WORK/$1.url")
}

# timed NAME COMMAND...: runs COMMAND, sets WALL (seconds, start to exit) and RSS (peak, MB)
timed() {
    local name=$1
    shift
    local t0 t1
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$WORK/$name.rss" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
        local rc=$?
        # conform exits 1 when a case failed: the synthetic suites must all pass
        echo "failed ($rc): $*" >&2
        tail -n 30 "$WORK/$name.out" "$WORK/$name.err" >&2
        [ "${ALLOW_FAIL:-}" = 1 ] || exit 1
    }
    t1=$(date +%s%N)
    WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    RSS=$(awk '/^[0-9]+$/ { printf "%.1f", $1 / 1024 }' "$WORK/$name.rss")
}

ok() { [ "$(calc "$1" 0)" = 1 ] && echo yes || echo no; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", ($1) }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

gen() { "$FIXTURE" gen "$WORK/$1" --files "$2" --cases "$3" ${4:+--rps "$4"}; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# 1. The headline workload (docs/performance.md): nginx, one worker, static Kimai-like customers.
need nginx nginx
chmod 755 "$WORK" # nginx's worker runs as another user and must read the documents
mkdir -p "$WORK/nginx/tmp" "$WORK/www"
"$FIXTURE" kimai-docs "$WORK/www" --count 2000
chmod -R a+rX "$WORK/www"
NGINX_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    default_type application/json;
    keepalive_timeout 65s;
    keepalive_requests 10000000;
    client_body_temp_path $WORK/nginx/tmp/body;
    proxy_temp_path $WORK/nginx/tmp/proxy;
    fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
    uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
    scgi_temp_path $WORK/nginx/tmp/scgi;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
    }
}
NGINX
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" &
PIDS+=($!)
NGX=http://127.0.0.1:$NGINX_PORT
for _ in $(seq 100); do
    curl -fsS -o /dev/null "$NGX/api/customers/1" 2>/dev/null && break
    sleep 0.05
done

kgen() { "$FIXTURE" kimai-gen "$WORK/$1" --files "$2" --cases "$3"; }
kgen k2k-40 40 50     # 2,000 cases in 40 files of 50
kgen k2k-2000 2000 1  # the same 2,000 cases, one file each
kgen k1k 20 50        # memory and scale: 1,000 / 10,000 / 100,000 cases in files of 50
kgen k10k 200 50
kgen k100k 2000 50
kgen k100k-20k 20000 5 # 100,000 cases in 20,000 files

run_k() { # run_k NAME PROJECT: one timed conform run -j 16 against nginx
    timed "$1" env CI=true "$CONFORM" -C "$WORK/$2" run --base-url "$NGX" -j 16 \
        --report-dir "$WORK/$2-reports"
}
wrk_rates=() r40=() r2000=()
for i in $(seq "$NGINX_REPEATS"); do
    wrk -t2 -c16 -d5s "$NGX/api/customers/1" >"$WORK/wrk.$i" 2>&1
    wrk_rates+=("$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk.$i")")
    run_k "k40.$i" k2k-40
    r40+=("$(calc "2000 / $WALL" 0)")
    run_k "k2000.$i" k2k-2000
    r2000+=("$(calc "2000 / $WALL" 0)")
done
wrk_rate=$(median "${wrk_rates[@]}")
rate40=$(median "${r40[@]}")
rate2000=$(median "${r2000[@]}")
run_k m1k k1k
rss1k=$RSS
run_k m10k k10k
wall10k=$WALL
run_k m100k k100k
rss100k=$RSS wall100k=$WALL
run_k s20k k100k-20k
wall20k_files=$WALL rss20k_files=$RSS
timed v100k "$CONFORM" -C "$WORK/k100k" validate
model100k=$RSS

# 2. Latency-bound (the fixture server adds the latency): 2,000 cases in 400 files of 5, so that
# 32 jobs get 12-13 files each and the last wave is short
gen p2k 400 5
gen p2k-rate 400 5 100
# Latency-bound: 50 ms per response, 2,000 cases at -j 32; then 100 requests/s in api.yaml
start_server slow 50
SLOW=$URL
timed lat env CI=true "$CONFORM" -C "$WORK/p2k" run --base-url "$SLOW" -j 32 \
    --report-dir "$WORK/p2k-reports"
lat_wall=$WALL
lat_floor=$(calc "2000 * 0.050 / 32" 3)
timed rate env CI=true "$CONFORM" -C "$WORK/p2k-rate" run --base-url "$SLOW" -j 32 \
    --report-dir "$WORK/p2k-rate-reports"
rate_wall=$WALL
rate_floor=$(calc "2000 / 100" 3)

# 4. Cold start: a whole real suite on the embedded mock, process start to exit
cold_rows=""
IFS=: read -r -a cold_roots <<<"$COLD_ROOT"
for COLD_ROOT in "${cold_roots[@]}"; do
    cold_problem=$("$CONFORM" -C "$COLD_ROOT" validate 2>&1 | tail -n1) || true
    if [ ! -d "$COLD_ROOT/cases" ]; then
        cold_rows+="
| cold start | n/a: $COLD_ROOT has no cases/ | ≤ 1 s | n/a |"
    elif [[ $cold_problem != ok:* ]]; then
        cold_rows+="
| cold start | n/a: $COLD_ROOT does not load with this build ($cold_problem) | ≤ 1 s | n/a |"
    else
        cold_cases=$(sed -n 's/.* \([0-9]*\) cases,.*/\1/p' <<<"$cold_problem")
        colds=()
        for i in 1 2 3; do
            ALLOW_FAIL=1 timed "cold.$i" env CI=true "$CONFORM" -C "$COLD_ROOT" run \
                --report-dir "$WORK/cold-reports"
            colds+=("$WALL")
        done
        cold=$(median "${colds[@]}")
        cold_rows+="
| cold start: \`conform run\` of $COLD_ROOT/cases (${cold_cases:-?} cases, playback), median of 3 | ${cold} s | ≤ 1 s | $(ok "$cold <= 1") |"
    fi
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

ratio40=$(calc "$rate40 / $wrk_rate" 3)
ratio2000=$(calc "$rate2000 / $wrk_rate" 3)
mem_growth=$(calc "$rss100k / $rss1k" 2)
per_case10k=$(calc "$wall10k / 10000 * 1000000" 1)
per_case100k=$(calc "$wall100k / 100000 * 1000000" 1)
linear=$(calc "$per_case100k / $per_case10k" 2)
per_file=$(calc "($wall20k_files - $wall100k) / 18000 * 1000000" 1)
lat_ratio=$(calc "$lat_wall / $lat_floor" 3)
rate_ratio=$(calc "$rate_wall / $rate_floor" 3)
cat <<EOF

## conform benchmark, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src examples scripts || echo '+dirty')

machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average before $load_before, after $load_after; repeats: $REPEATS

| figure | measured | target | holds |
|---|---|---|---|
| wrk -t2 -c16 -d5s, nginx (1 worker) serving 2,000 static customers (median of $NGINX_REPEATS) | $wrk_rate req/s | | |
| conform run -j 16, 2,000 cases in 40 files of 50, process start to exit (median) | $rate40 cases/s → ×$ratio40 of wrk | ≥ 0.5 of wrk | $(ok "$ratio40 >= 0.5") |
| conform run -j 16, 2,000 cases in 2,000 files of 1 (median) | $rate2000 cases/s → ×$ratio2000 of wrk | ≥ 0.5 of wrk | $(ok "$ratio2000 >= 0.5") |
| peak RSS, 100,000 cases (2,000 files of 50) | $rss100k MB | ≤ 150 MB | $(ok "$rss100k <= 150") |
| peak RSS, 1,000 → 100,000 cases | $rss1k → $rss100k MB (×$mem_growth) | ≤ ×2 | $(ok "$mem_growth <= 2") |
| of which the loaded suite (\`conform validate\` peak RSS), 100,000 cases | $model100k MB | | |
| wall time per case, 10,000 → 100,000 cases | $per_case10k → $per_case100k µs (×$linear) | linear (≤ ×1.2) | $(ok "$linear <= 1.2") |
| 100,000 cases in 20,000 files of 5 vs 2,000 of 50: extra wall per file | $wall20k_files s vs $wall100k s → $per_file µs/file (peak RSS $rss20k_files MB) | ≤ 20 µs | $(ok "$per_file <= 20") |
| 50 ms latency, 2,000 cases -j 32: wall ÷ floor ($lat_floor s) | $lat_wall s → $lat_ratio | ≤ 1.15 | $(ok "$lat_ratio <= 1.15") |
| 100 requests/s limit, 2,000 cases: wall ÷ floor ($rate_floor s) | $rate_wall s → $rate_ratio | ≤ 1.1 | $(ok "$rate_ratio <= 1.1") |
${cold_rows#?}
EOF
