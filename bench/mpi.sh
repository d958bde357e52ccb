#!/usr/bin/env bash
# bench/mpi.sh PLAIN MPI — `make bench-mpi`: the figures of docs/SCALING.md.
#
# Measured, on this machine: the W2 network (bench/bench_workloads.c: 784-1024-1024-10 with
# dropout 0.2/0.5/0.5, SGD momentum 0.9, batch 128) on the first BENCH_MPI_ROWS Fashion-MNIST
# rows (default 12800 = 100 steps; the machine is shared, so runs are short), BENCH_MPI_REPEAT
# times each (default 3), the median reported:
#   plain        the default build, plain mode, 2 threads
#   repro16      the default build, --reproducible with blocks of 16 rows, 2 threads
#   mpi-1x2      build-mpi, 1 rank × 2 threads (reproducible, blocks of 16), with
#                --bind-to none: by default OpenMPI binds a job of 1 or 2 ranks to one core per
#                rank, which would give the rank's 2 threads a single core
#   mpi-2x1      build-mpi, 2 ranks × 1 thread (each bound to its core), with the gradient
#                sums' count, bytes and time
# (--reproducible --block-rows 32 costs less than blocks of 16: see docs/SCALING.md, measured in
# CPU time, which a shared machine disturbs less.)
# Modelled (printed after, from the measured compute per row): an α–β ring all-reduce on
# 4-256 nodes at 10/25/100 Gb/s. One JSON line per figure on stdout; notes on stderr.
set -u -o pipefail
plain=$1
mpi=$2
rows=${BENCH_MPI_ROWS:-12800}
repeat=${BENCH_MPI_REPEAT:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run_args=(--oversubscribe)
[ "$(id -u)" -eq 0 ] && run_args+=(--allow-run-as-root)
spec=dropout:0.2,dense:1024:relu,dropout:0.5,dense:1024:relu,dropout:0.5,dense:10:softmax
args=(train --train fashion-mnist:train --max-rows "$rows" --model "$spec" --optimizer sgd
      --lr 0.01 --momentum 0.9 --batch 128 --epochs 1 --out "$tmp/m.safetensors")
echo "bench-mpi: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $rows rows, median of $repeat" >&2

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
epoch_seconds() { grep -o '"seconds":[0-9.e+-]*' "$1" | head -1 | cut -d: -f2; }

# run NAME COMMAND...: one run, its epoch time (from --log) appended to NAME.times.
run() {
    local name=$1
    shift
    DROPNET_MPI_STATS=1 "$@" --log "$tmp/log.jsonl" > /dev/null 2> "$tmp/$name.err" || {
        echo "bench-mpi: $name failed:" >&2
        cat "$tmp/$name.err" >&2
        exit 1
    }
    epoch_seconds "$tmp/log.jsonl" >> "$tmp/$name.times"
    cut -d' ' -f1 /proc/loadavg >> "$tmp/$name.load" # the 1-minute load as the run ended
}

# Round-robin, so that every configuration meets the same neighbours on a shared machine.
for _ in $(seq "$repeat"); do
    run plain env DROPNET_THREADS=2 "$plain" "${args[@]}"
    run repro16 env DROPNET_THREADS=2 "$plain" "${args[@]}" --reproducible
    run mpi-1x2 mpirun "${run_args[@]}" --bind-to none -np 1 -x DROPNET_THREADS=2 "$mpi" "${args[@]}"
    run mpi-2x1 mpirun "${run_args[@]}" -np 2 -x DROPNET_THREADS=1 "$mpi" "${args[@]}"
done
for name in plain repro16 mpi-1x2 mpi-2x1; do
    median < "$tmp/$name.times" > "$tmp/$name.median"
    echo "{\"config\":\"$name\",\"rows\":$rows,\"epoch_seconds\":$(cat "$tmp/$name.median"),\"runs\":[$(paste -sd, "$tmp/$name.times")],\"load\":[$(paste -sd, "$tmp/$name.load")]}"
done
# The gradient sums of the last 2-rank run (rank 0's view: its wait for the other rank counts).
stats=$(grep '"mpi_ranks"' "$tmp/mpi-2x1.err" | tail -1)
echo "$stats"
echo "bench-mpi: load at the end $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# The α–β model: per step, ring all-reduce of the int64 gradient (8 bytes per parameter) plus
# the one-value max (a latency-only tree), and the compute of B/W rows at the measured rate.
params=1863690
awk -v plain="$(cat "$tmp/plain.median")" -v repro="$(cat "$tmp/repro16.median")" \
    -v rows="$rows" -v params="$params" -v stats="$stats" 'BEGIN {
    per_row = repro / rows        # seconds of compute per training row, reproducible mode, 2 threads
    printf "{\"reproducible_cost\":%.3f,\"compute_seconds_per_row\":%.3e}\n", repro / plain - 1, per_row
    bytes = 8 * params; alpha = 5e-6; epoch_rows = 60000
    split(stats, f, /[:,}]/)
    n = split("10 25 100", gbps, " ")
    for (g = 1; g <= n; g++) for (w = 4; w <= 256; w *= 2) {
        beta = gbps[g] * 1e9 / 8
        comm = 2 * (w - 1) * alpha + 2 * (w - 1) / w * bytes / beta + 2 * log(w) / log(2) * alpha
        batch = 128 * w                      # 128 rows per node
        steps = epoch_rows / batch
        compute = per_row * batch / w
        epoch = steps * (compute + comm)
        ideal = epoch_rows * per_row / w
        hide = w * comm / per_row            # global batch at which compute covers the sum
        printf "{\"model\":\"ring\",\"gbps\":%d,\"nodes\":%d,\"global_batch\":%d,\"comm_ms\":%.2f," \
               "\"compute_ms\":%.2f,\"epoch_s\":%.3f,\"efficiency\":%.2f,\"hiding_batch\":%.0f}\n",
               gbps[g], w, batch, comm * 1e3, compute * 1e3, epoch, ideal / epoch, hide
    }
}'
