#!/usr/bin/env bash
# tests/mpi/run.sh PLAIN MPI — data-parallel training on OpenMPI (docs/SCALING.md), run by
# `make test-mpi` (and so by `make test`). PLAIN is the default build's dropnet, MPI the
# `make mpi` one. The reference for every comparison is one process: the weights files of 1, 2,
# 3 and 4 ranks must be byte-identical (cmp) to PLAIN --reproducible's, on seed-style data and on
# a Fashion-MNIST subset; a resume on another rank count too; a rank killed with SIGKILL must end
# the job within 10 s, and --resume must then finish with the same bits. Ends with
# "N passed, N failed" like the main suite.
set -uo pipefail
plain=$1
mpi=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
check() { if eval "$2"; then ok "$1"; else fail "$1"; fi; }

# As root OpenMPI wants --allow-run-as-root; --oversubscribe lets 4 ranks share 2 cores.
run_args=(--oversubscribe)
[ "$(id -u)" -eq 0 ] && run_args+=(--allow-run-as-root)
mpirun_n() { local n=$1; shift; mpirun "${run_args[@]}" -np "$n" "$@"; }
export DROPNET_THREADS=1

# Seed-style data: 3 Gaussian classes in 20 features, 400 rows, the demo's shape (awk's srand is
# seeded, so the file is the same on every run).
awk 'BEGIN { srand(7); for (r = 0; r < 400; r++) { c = r % 3; line = "";
  for (j = 0; j < 20; j++) { u = rand(); v = rand();
    x = sqrt(-2 * log(u + 1e-12)) * cos(6.283185307 * v) + (j == c ? 2 : 0);
    line = line sprintf("%.5f,", x) }
  print line c } }' > "$tmp/seed.csv"

seed_plain=(train --train "$tmp/seed.csv" --model dropout:0.2,dense:64:relu,dropout:0.5,dense:3:softmax
            --batch 32 --epochs 3 --val-split 0.2 --seed 5)
seed_args=("${seed_plain[@]}" --block-rows 8)
fashion_args=(train --train fashion-mnist:train --max-rows 1024 --test fashion-mnist:test
              --model dropout:0.2,dense:128:relu,dropout:0.5,dense:10:softmax --standardize
              --batch 64 --block-rows 16 --epochs 2 --seed 3)

# metrics OUT LOG: what a run reported — the final epoch lines and test line as printed (the
# epoch's seconds left out), and every loss and accuracy of its --log at full precision. The
# validation and test sets are split across the ranks and their sums reduced exactly, so these
# must be the same text for every N as for one process.
metrics() {
  tr '\r' '\n' < "$1" | grep -oE '^(Epoch [0-9]+/[0-9]+ .*|test loss .*)' | sed -E 's/ - [0-9.]+s - / - /; s/\x1b\[K//g'
  grep -oE '"[a-z_]*(loss|accuracy)":[^,}]*' "$2"
}
"$plain" "${seed_args[@]}" --reproducible --out "$tmp/seed-ref.safetensors" --log "$tmp/seed-ref.jsonl" \
  > "$tmp/seed-ref.out"
"$plain" "${fashion_args[@]}" --reproducible --threads 2 --out "$tmp/fashion-ref.safetensors" \
  --log "$tmp/fashion-ref.jsonl" > "$tmp/fashion-ref.out"
metrics "$tmp/seed-ref.out" "$tmp/seed-ref.jsonl" > "$tmp/seed-ref.metrics"
metrics "$tmp/fashion-ref.out" "$tmp/fashion-ref.jsonl" > "$tmp/fashion-ref.metrics"
for n in 1 2 3 4; do
  mpirun_n "$n" "$mpi" "${seed_args[@]}" --out "$tmp/seed-$n.safetensors" --log "$tmp/seed-$n.jsonl" \
    > "$tmp/seed-$n.out" 2>&1
  check "seed data: $n ranks, weights identical to one process" \
    "cmp -s '$tmp/seed-ref.safetensors' '$tmp/seed-$n.safetensors'"
  metrics "$tmp/seed-$n.out" "$tmp/seed-$n.jsonl" > "$tmp/seed-$n.metrics"
  check "seed data: $n ranks, validation metrics printed and logged as by one process" \
    "[ \$(grep -c val_loss '$tmp/seed-ref.metrics') -ge 6 ] && cmp -s '$tmp/seed-ref.metrics' '$tmp/seed-$n.metrics'"
  mpirun_n "$n" "$mpi" "${fashion_args[@]}" --out "$tmp/fashion-$n.safetensors" \
    --log "$tmp/fashion-$n.jsonl" > "$tmp/fashion-$n.out" 2>&1
  check "fashion subset: $n ranks, weights identical to one process" \
    "cmp -s '$tmp/fashion-ref.safetensors' '$tmp/fashion-$n.safetensors'"
  metrics "$tmp/fashion-$n.out" "$tmp/fashion-$n.jsonl" > "$tmp/fashion-$n.metrics"
  check "fashion subset: $n ranks, test metrics printed and logged as by one process" \
    "grep -q '^test loss' '$tmp/fashion-ref.metrics' && cmp -s '$tmp/fashion-ref.metrics' '$tmp/fashion-$n.metrics'"
done
# One voice: 4 ranks print one progress line per epoch and one "saved" line.
check "4 ranks print as one process" \
  "[ \$(grep -c '^saved ' '$tmp/seed-4.out') -eq 1 ] && [ \$(grep -c 'Epoch 3/3' '$tmp/seed-4.out') -eq 1 ]"
# The plain mode (no --reproducible) is a different summation: it must not match by accident.
"$plain" "${seed_plain[@]}" --out "$tmp/seed-plain.safetensors" > /dev/null 2>&1
check "the plain mode's weights differ from the reproducible mode's" \
  "! cmp -s '$tmp/seed-ref.safetensors' '$tmp/seed-plain.safetensors'"

# Each rank reads only the rows it needs (docs/SCALING.md "Data"): all of Fashion-MNIST's training
# images uncompressed (47 MB) are over --max-memory 8M, so their pixels stay in the file and
# every rank preads its own blocks' rows. Each rank's peak resident size (/usr/bin/time) must be
# at least 40 MB below the same job holding the data, and the weights identical to one process
# holding it.
zcat /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz > "$tmp/images.idx"
zcat /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz > "$tmp/labels.idx"
disk_args=(train --train "$tmp/images.idx+$tmp/labels.idx" --model dense:16:relu,dropout:0.5,dense:10:softmax
           --batch 256 --block-rows 64 --epochs 1 --seed 3 --val-split 0.1 --standardize)
"$plain" "${disk_args[@]}" --reproducible --out "$tmp/disk-ref.safetensors" > /dev/null
# `mpirun_n N sh -c "$timed" PREFIX COMMAND...`: each rank's peak resident size ("rss KB",
# /usr/bin/time) in its own file PREFIX.RANK (on the ranks' shared stderr two lines interleave).
timed='exec /usr/bin/time -f "rss %M" -o "$0.${OMPI_COMM_WORLD_RANK:-0}" "$@"'
# peak_rss / least_rss PREFIX: the largest / smallest of the ranks' figures.
peak_rss() { cat "$1".* 2>/dev/null | awk '$1 == "rss" && $2 > m { m = $2 } END { print m + 0 }'; }
least_rss() { cat "$1".* 2>/dev/null | awk '$1 == "rss" && (m == "" || $2 < m) { m = $2 } END { print m + 0 }'; }
mpirun_n 3 sh -c "$timed" "$tmp/rss-held" "$mpi" "${disk_args[@]}" \
  --out "$tmp/held.safetensors" > "$tmp/held.out" 2>&1
for n in 2 3; do
  mpirun_n "$n" sh -c "$timed" "$tmp/rss-disk-$n" "$mpi" "${disk_args[@]}" \
    --max-memory 8M --out "$tmp/disk-$n.safetensors" > "$tmp/disk-$n.out" 2>&1
  held=$(least_rss "$tmp/rss-held") ondisk=$(peak_rss "$tmp/rss-disk-$n")
  check "IDX over --max-memory, $n ranks: pixels read per rank (peak ${ondisk} KB a rank, against ${held} KB holding the data), weights identical" \
    "[ $ondisk -gt 0 ] && [ $((ondisk + 40000)) -lt $held ] && [ \$(grep -c 'pixels stay in the file' '$tmp/disk-$n.out') -eq 1 ] &&
     cmp -s '$tmp/disk-ref.safetensors' '$tmp/disk-$n.safetensors'"
  # A run that printed no peak failed before its end: show how (its last lines).
  [ "$ondisk" -gt 0 ] || tail -n 6 "$tmp/disk-$n.out" | sed 's/^/     | /'
done

# Resume on another rank count: 2 epochs on 2 ranks, then the 3rd on 3 ranks.
mpirun_n 2 "$mpi" "${seed_args[@]}" --epochs 2 --checkpoint "$tmp/ck" --out "$tmp/half.safetensors" \
  > /dev/null 2>&1
mpirun_n 3 "$mpi" "${seed_args[@]}" --resume "$tmp/ck" --out "$tmp/resumed.safetensors" \
  > /dev/null 2>&1
check "resume from 2 ranks on 3 ranks: identical to one uninterrupted process" \
  "cmp -s '$tmp/seed-ref.safetensors' '$tmp/resumed.safetensors'"

# signal_rank_1 SIGNAL DIR JOB: once the job writing checkpoints to DIR has saved its first one,
# sends SIGNAL to its rank 1 (found by the rank OpenMPI puts in its environment) and waits for
# the job (the mpirun in the background, pid JOB) to end. Sets victim (the pid signalled, empty
# when none was found), status (the job's exit status) and took (seconds from signal to end).
signal_rank_1() {
  local signal=$1 dir=$2 job=$3 sent_at pid
  for _ in $(seq 600); do [ -e "$dir/checkpoint-000001.safetensors" ] && break; sleep 0.1; done
  victim=""
  for pid in $(pgrep -f -- "--checkpoint $dir"); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dropnet ] &&
      tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 && victim=$pid
  done
  sent_at=$(date +%s.%N)
  [ -n "$victim" ] && kill "-$signal" "$victim"
  wait "$job"
  status=$?
  took=$(awk -v a="$sent_at" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
}

# A rank killed mid-epoch: the job ends within 10 s, the checkpoint of the last finished epoch
# loads, and --resume on 2 ranks ends with the bits of an uninterrupted run.
kill_args=(train --train fashion-mnist:train --max-rows 6000 --model dense:256:relu,dropout:0.5,dense:10:softmax
           --batch 64 --block-rows 16 --epochs 4 --seed 9)
"$plain" "${kill_args[@]}" --reproducible --threads 2 --out "$tmp/kill-ref.safetensors" > /dev/null
mpirun_n 3 "$mpi" "${kill_args[@]}" --checkpoint "$tmp/kc" --out "$tmp/killed.safetensors" \
  > "$tmp/kill.out" 2>&1 &
signal_rank_1 KILL "$tmp/kc" $!
grep -E "noticed|error" "$tmp/kill.out" | sed "s/^/     | /" # what the user saw
check "a SIGKILLed rank stops the job (status $status) within 10 s (took ${took} s)" \
  "[ -n '$victim' ] && [ $status -ne 0 ] && awk 'BEGIN { exit !($took < 10) }' && [ ! -e '$tmp/killed.safetensors' ]"
mpirun_n 2 "$mpi" "${kill_args[@]}" --resume "$tmp/kc" --out "$tmp/killed.safetensors" \
  > "$tmp/kill-resume.out" 2>&1
check "--resume after the kill, on 2 ranks: identical to the uninterrupted run" \
  "cmp -s '$tmp/kill-ref.safetensors' '$tmp/killed.safetensors'"

# A stalled rank (SIGSTOP): the others give up after DROPNET_MPI_TIMEOUT and end the job.
DROPNET_MPI_TIMEOUT=3 mpirun_n 2 "$mpi" "${kill_args[@]}" --checkpoint "$tmp/sc" \
  --out "$tmp/stalled.safetensors" > "$tmp/stall.out" 2>&1 &
signal_rank_1 STOP "$tmp/sc" $!
grep -oE "dropnet: error.*did not complete.*" "$tmp/stall.out" | sed "s/^/     | /"
check "a stalled rank: the job ends after the 3 s timeout (status $status, took ${took} s)" \
  "[ -n '$victim' ] && [ $status -ne 0 ] && awk 'BEGIN { exit !($took < 10) }' && grep -q 'rank 0 on .*did not complete within 3 s' '$tmp/stall.out'"

# An error on one rank only: rank 2 runs in a directory without the data file (a node without
# the shared mount), ranks 0 and 1 read it. The job ends promptly with that rank's error, once,
# naming the rank and host; no model and no --log are written (the ranks agree before rank 0
# opens any file). OpenMPI's MPMD syntax (A : B) gives rank 2 its own working directory.
mkdir -p "$tmp/has-data" "$tmp/no-data"
cp "$tmp/seed.csv" "$tmp/has-data/seed.csv"
mpi_abs=$(realpath "$mpi") # -wdir: a relative program path would be looked up there
one_args=(train --train seed.csv --model dense:16:relu,dense:3:softmax --batch 32 --block-rows 8
          --epochs 3 --seed 5 --out "$tmp/one.safetensors" --log "$tmp/one.log")
# one_rank_fails LABEL PATTERN MPMD...: mpirun with the application contexts MPMD; the job must
# end within 10 s (DROPNET_MPI_TEST_LIMIT: make test-mpi-asan, where a rank starts slowly, gives
# 30) with a non-zero status, one error line matching PATTERN, and no file written.
one_rank_fails() {
  local label=$1 pattern=$2
  shift 2
  rm -f "$tmp/one.safetensors" "$tmp/one.log"
  local started status took
  started=$(date +%s.%N)
  mpirun "${run_args[@]}" "$@" > "$tmp/one.out" 2>&1
  status=$?
  took=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  grep "dropnet: error" "$tmp/one.out" | sed "s/^/     | /"
  check "$label (status $status, ${took} s): one error naming rank and host, nothing written" \
    "[ $status -ne 0 ] && awk 'BEGIN { exit !($took < ${DROPNET_MPI_TEST_LIMIT:-10}) }' &&
     [ \$(grep -c 'dropnet: error' '$tmp/one.out') -eq 1 ] && grep -q \"$pattern\" '$tmp/one.out' &&
     ! grep -q interrupted '$tmp/one.out' && [ ! -e '$tmp/one.safetensors' ] && [ ! -e '$tmp/one.log' ]"
}
host=$(hostname)
one_rank_fails "the data missing on rank 2 only" "dropnet: error: rank 2 on $host[^:]*: cannot open seed.csv" \
  -np 2 -wdir "$tmp/has-data" "$mpi_abs" "${one_args[@]}" : -np 1 -wdir "$tmp/no-data" "$mpi_abs" "${one_args[@]}"
one_rank_fails "the data missing on rank 0 only" "dropnet: error: rank 0 on $host[^:]*: cannot open seed.csv" \
  -np 1 -wdir "$tmp/no-data" "$mpi_abs" "${one_args[@]}" : -np 2 -wdir "$tmp/has-data" "$mpi_abs" "${one_args[@]}"
# rank 1 is given a lower --max-memory than rank 0.
one_rank_fails "over --max-memory on rank 1 only" "dropnet: error: rank 1 on $host[^:]*: --max-memory" \
  -np 1 -wdir "$tmp/has-data" "$mpi_abs" "${one_args[@]}" : \
  -np 1 -wdir "$tmp/has-data" "$mpi_abs" "${one_args[@]}" --max-memory 1K

# Refusals, each said once.
mpirun_n 2 "$plain" "${seed_args[@]}" --out "$tmp/x.safetensors" > "$tmp/refuse.out" 2>&1
check "the plain build under mpirun refuses, once" \
  "[ \$(grep -c 'built without MPI' '$tmp/refuse.out') -eq 1 ] && [ ! -e '$tmp/x.safetensors' ]"
mpirun_n 5 "$mpi" "${seed_args[@]}" --out "$tmp/x.safetensors" > "$tmp/refuse.out" 2>&1
check "more ranks than blocks of a batch: refused, once" \
  "[ \$(grep -c '5 MPI ranks but a batch of 32 rows has only 4 blocks' '$tmp/refuse.out') -eq 1 ]"
mpirun_n 3 "$mpi" train --train "$tmp/missing.csv" --model dense:3:softmax --out "$tmp/x.safetensors" \
  > "$tmp/refuse.out" 2>&1
check "an error on every rank is shown once" \
  "[ \$(grep -c 'dropnet: error' '$tmp/refuse.out') -eq 1 ]"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
