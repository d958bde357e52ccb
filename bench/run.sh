#!/usr/bin/env bash
# run.sh — the "Speed" benchmark: `make bench` runs `bench/run.sh`, `make bench-peers` runs
# `bench/run.sh --peers`.
#
# Prints one JSON line per workload on standard output (W4: one per shape), each from
# $BUILD/bench-workloads (bench/bench_workloads.c says what each workload does). Every workload
# runs in a process of its own so that its peak RSS is its own. Progress and the machine's state
# go to standard error. With --peers, bench/peers.py runs each workload in PyTorch, ONNX Runtime
# (W3, W5; `make onnxruntime`) and numpy/OpenBLAS right after dropnet's, prints their lines, and at the end the dropnet/peer
# ratios (JSON lines, and a table on standard error).
#
# Environment:
#   BUILD            build directory holding bench-workloads and dropnet (default build)
#   BENCH_THREADS    threads for every workload, both sides (default 2); also OMP_NUM_THREADS
#   BENCH_REPEAT     timed runs per workload (default 5, at most 64); each figure is their median,
#                    with the fastest and slowest beside it (KEY_min, KEY_max)
#   BENCH_WORKLOADS  which to run (default "machine W1 W2 W3 W4 W5")
#   BENCH_JSON       also append every JSON line to this file
#   DROPNET_KERNEL   avx512 | avx2 | portable: force a GEMM path (each line says which ran)
#   BENCH_PRECISION  fp32 | bf16: the precision of W2's and W3's products (default fp32)
#   PYTHON           the interpreter for the peers (default /usr/bin/python3: Debian's
#                    python3-torch and python3-numpy live there, not in a pyenv)
#   BENCH_CFLAGS     the flags bench-workloads was built with (the Makefile passes them), for
#                    the record
#
# The first and last lines are {"bench":"run","event":"start"|"end",...}: the date, the machine,
# threads, BENCH_REPEAT, the flags, the peers' BLAS and the load before and after, which
# scripts/speed_table.py (`make speed-table`) puts in the caption of README's Speed table.
set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1

# BENCH_JSON is checked before anything runs: a run of many minutes must not end by failing to
# append its lines (its folder created here, as `make bench` creates build folders).
if [ -n "${BENCH_JSON:-}" ]; then
    mkdir -p "$(dirname "$BENCH_JSON")" && touch "$BENCH_JSON" || {
        echo "bench/run.sh: cannot append to BENCH_JSON=$BENCH_JSON; give a writable file" >&2
        exit 2
    }
fi

BUILD=${BUILD:-build}
THREADS=${BENCH_THREADS:-2}
REPEAT=${BENCH_REPEAT:-5}
WORKLOADS=${BENCH_WORKLOADS:-machine W1 W2 W3 W4 W5}
PYTHON=${PYTHON:-/usr/bin/python3}
PEERS=0
[ "${1:-}" = "--peers" ] && PEERS=1

CORES=$(getconf _NPROCESSORS_ONLN) # before OMP_NUM_THREADS is set: nproc honours it

# The same thread count on both sides: OpenMP (dropnet, PyTorch), OpenBLAS, MKL if present.
export OMP_NUM_THREADS=$THREADS OPENBLAS_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS

lines=$(mktemp "${TMPDIR:-/tmp}/dropnet-bench.XXXXXX")
trap 'rm -f "$lines"' EXIT

# A JSON string: backslashes and double quotes escaped, newlines and tabs turned into spaces.
json_string() {
    printf '"%s"' "$(printf '%s' "$1" | tr '\n\t' '  ' | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

echo "bench: $(uname -srm), $CORES cores, threads $THREADS, median of $REPEAT runs" >&2
echo "bench: load before: $(uptime)" >&2
# Other processes take cores from a 2-thread run and OpenMP's spinning barriers then lose whole
# time slices: say so next to the figures rather than let them pass for the machine's.
if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v c="$CORES" 'BEGIN { exit !(l > c / 2) }'; then
    echo "bench: warning: load $(cut -d' ' -f1 /proc/loadavg) on $CORES cores; other processes" \
         "will lower these figures" >&2
fi

have_python=1
if [ "$PEERS" = 1 ] && [ ! -x "$PYTHON" ]; then
    echo "bench: skipping every peer: $PYTHON not found (apt-get install python3-torch" \
         "python3-numpy)" >&2
    have_python=0
fi
# Which BLAS the peers' numpy and PyTorch load: Debian's reference BLAS would make them slow for a
# reason that has nothing to do with dropnet (scripts/setup.sh installs OpenBLAS).
blas="not measured (no peers)"
if [ "$PEERS" = 1 ] && [ "$have_python" = 1 ]; then
    blas=$("$PYTHON" bench/peers.py --blas)
    printf '%s\n' "$blas" | sed 's/^/bench: peers: /' >&2
fi
printf '{"bench":"run","event":"start","date":%s,"uname":%s,"cores":%s,"threads":%s,"repeat":%s,"peers":%s,"cflags":%s,"kernel_request":%s,"precision":%s,"load_before":%s,"blas":%s}\n' \
    "$(json_string "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" "$(json_string "$(uname -srm)")" "$CORES" \
    "$THREADS" "$REPEAT" "$([ "$PEERS" = 1 ] && echo true || echo false)" "$(json_string "${BENCH_CFLAGS:-not recorded}")" \
    "$(json_string "${DROPNET_KERNEL:-auto}")" "$(json_string "${BENCH_PRECISION:-fp32}")" \
    "$(json_string "$(cut -d' ' -f1-3 /proc/loadavg)")" "$(json_string "$blas")" | tee -a "$lines"

# Each workload's peers run right after it, so that both sides meet the same neighbours: on a
# shared machine the load changes from one minute to the next.
status=0
for w in $WORKLOADS; do
    echo "bench: $w ..." >&2
    if ! "$BUILD/bench-workloads" --threads "$THREADS" --repeat "$REPEAT" \
            --precision "${BENCH_PRECISION:-fp32}" --cli "$BUILD/dropnet" "$w" | tee -a "$lines"; then
        status=1
    fi
    if [ "$PEERS" = 1 ] && [ "$have_python" = 1 ] && [ "$w" != machine ]; then
        "$PYTHON" bench/peers.py --threads "$THREADS" --repeat "$REPEAT" --dropnet "$lines" \
            --workloads "$w" --build "$BUILD" | tee -a "$lines" || status=1
    fi
done
echo "bench: load after: $(uptime)" >&2
printf '{"bench":"run","event":"end","date":%s,"load_after":%s}\n' \
    "$(json_string "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" \
    "$(json_string "$(cut -d' ' -f1-3 /proc/loadavg)")" | tee -a "$lines"

# The dropnet/peer ratios and the issue's targets, from every line above.
if [ "$PEERS" = 1 ] && [ "$have_python" = 1 ]; then
    "$PYTHON" bench/peers.py --ratios "$lines" || status=1
fi

if [ -n "${BENCH_JSON:-}" ] && ! cat "$lines" >> "$BENCH_JSON"; then
    echo "bench/run.sh: could not append the run's lines to $BENCH_JSON; they are kept in $lines" >&2
    trap - EXIT
    exit 1
fi
exit $status
