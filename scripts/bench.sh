#!/usr/bin/env bash
# conform's speed benchmark: throughput against the wire, latency-bound runs, memory, cold start.
# Prints a Markdown table of each figure beside its target (docs/performance.md explains them).
#
#   scripts/bench.sh                     every measurement (about 2 minutes on 2 cores)
#   BENCH_REPEATS=5 scripts/bench.sh     more repeats of the throughput pair (median is reported)
#   COLD_ROOT=/path/to/project[:/other] scripts/bench.sh   projects whose cases/ the cold start runs
#
# Every server is started here, on 127.0.0.1, and stops by itself after 15 minutes at most.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
REPEATS=${BENCH_REPEATS:-3}
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
run_conform() { # run_conform PROJECT URL JOBS
    "$CONFORM" -C "$WORK/$1" run --base-url "$2" -j "$3" --report-dir "$WORK/$1-reports"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# The suites: cases are spread over many files because -j counts files in flight (a file's cases
# run in order). 10,000 = 200 files x 50; 1,000 = 20 x 50; 2,000 = 400 files x 5, so that 32 jobs
# get 12-13 files each and the last wave is short.
gen p10k 200 50
gen p1k 20 50
gen p2k 400 5
gen p2k-rate 400 5 100

# 1. Throughput against the wire, and memory: the same fast server, wrk and conform alternating
start_server fast 0
FAST=$URL
conform_rates=() wire_rates=() rss10k=() run_rates=() rss1k=() transport_rates=()
for i in $(seq "$REPEATS"); do
    wrk -t2 -c16 -d5s "$FAST/items/1" >"$WORK/wrk.$i" 2>&1
    wire_rates+=("$(awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk.$i")")
    # conform's own HTTP transport with nothing else: the ceiling of a run on this machine
    transport_rates+=("$("$FIXTURE" client "$FAST" --requests 10000 --concurrency 16)")
    timed "t10k.$i" env CI=true "$CONFORM" -C "$WORK/p10k" run --base-url "$FAST" -j 16 \
        --report-dir "$WORK/p10k-reports"
    conform_rates+=("$(calc "10000 / $WALL" 0)")
    run_rates+=("$(sed -n 's/.*(10000 cases in \([0-9.]*\)s).*/\1/p' "$WORK/t10k.$i.out")")
    rss10k+=("$RSS")
done
for i in $(seq "$REPEATS"); do
    timed "t1k.$i" env CI=true "$CONFORM" -C "$WORK/p1k" run --base-url "$FAST" -j 16 \
        --report-dir "$WORK/p1k-reports"
    rss1k+=("$RSS")
done
wire=$(median "${wire_rates[@]}")
transport=$(median "${transport_rates[@]}")
timed v1k "$CONFORM" -C "$WORK/p1k" validate
model1k=$RSS
timed v10k "$CONFORM" -C "$WORK/p10k" validate
model10k=$RSS
rate=$(median "${conform_rates[@]}")
run_phase=$(median "${run_rates[@]}")
m10k=$(median "${rss10k[@]}")
m1k=$(median "${rss1k[@]}")

# 2. Latency-bound: 50 ms per response, 2,000 cases at -j 32; then 100 requests/s in api.yaml
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

ratio=$(calc "$rate / $wire" 3)
lat_ratio=$(calc "$lat_wall / $lat_floor" 3)
rate_ratio=$(calc "$rate_wall / $rate_floor" 3)
growth=$(calc "$m10k / $m1k" 2)
cat <<EOF

## conform benchmark, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src examples scripts || echo '+dirty')

machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average before $load_before, after $load_after; repeats: $REPEATS

| figure | measured | target | holds |
|---|---|---|---|
| raw requests/s (wrk -t2 -c16, 5 s, median) | $wire | | |
| conform cases/s, 10,000 cases -j 16, process start to exit (median) | $rate (run phase alone: $(calc "10000 / $run_phase" 0)) | | |
| conform's HTTP transport alone, 10,000 GETs, 16 at a time (median) | $transport | | |
| throughput ratio conform ÷ wire | $ratio | ≥ 0.5 | $(ok "$ratio >= 0.5") |
| for reference: transport alone ÷ wire; conform ÷ transport alone | $(calc "$transport / $wire" 3); $(calc "$rate / $transport" 3) | | |
| 50 ms latency, 2,000 cases -j 32: wall ÷ floor ($lat_floor s) | $lat_wall s → $lat_ratio | ≤ 1.15 | $(ok "$lat_ratio <= 1.15") |
| 100 requests/s limit, 2,000 cases: wall ÷ floor ($rate_floor s) | $rate_wall s → $rate_ratio | ≤ 1.1 | $(ok "$rate_ratio <= 1.1") |
| peak RSS, 10,000 cases (median) | $m10k MB | ≤ 150 MB | $(ok "$m10k <= 150") |
| peak RSS, 1,000 cases → 10,000 cases | $m1k → $m10k MB (×$growth) | flat (≤ ×1.25) | $(ok "$growth <= 1.25") |
| of which the loaded suite (\`conform validate\` peak RSS), 1,000 → 10,000 cases | $model1k → $model10k MB | | |
${cold_rows#?}
EOF
