#!/usr/bin/env bash
# paper.sh — the shape of Srivastava et al. 2014, Table 9 (same network, different regularisers)
# and Table 2 (dropout with and without max-norm), on Fashion-MNIST with 784-1024-1024-10, three
# ways:
#   A. with the settings of `make fashion` (Adam 1e-3, ×0.95 per epoch): what a Keras user runs;
#   B. with the paper's recipe: SGD at a high learning rate, momentum rising 0.5 → 0.99, which is
#      where the paper says max-norm earns its keep (it lets the rate stay high without blowing up);
#   C. A's settings trained longer (up to 100 epochs), each run stopped on a held-out 10 % of the
#      training images (early stopping, best weights kept): no epoch count chosen on the test set;
#      every seed of PAPER_SEEDS, with the seed-paired significance tests.
# Only the regulariser changes within a table. Each run becomes one line of RESULTS (the TSV
# scripts/doc_tables.py documents; a run of some tables replaces only their lines), and
# scripts/doc_tables.py writes every table from RESULTS into DOC between its marker comments.
# Each table is written as soon as its last run ends, so a run stopped in table C keeps A and B.
#
# Usage: scripts/paper.sh [EPOCHS] [TABLES]   (run by `make paper`; TABLES any of "ABC")
# Environment:
#   PAPER_SEEDS    table C's seeds (default "42 1 2 3"); tables A and B use seed 42
#   PAPER_QUICK=1  a check of the script, not a result: 2 epochs (C: at most 3, patience 1) on
#                  the first 2000 rows, written to build/paper-quick/ (a copy of DOC), never docs/
#   PAPER_JOBS     runs trained at the same time (default 1); with PAPER_THREADS=1 and
#                  PAPER_JOBS=2 a loaded 2-core machine loses no time to OpenMP's barriers
#   PAPER_THREADS  each run's --threads (default: dropnet's, all cores); the results do not
#                  depend on it or on PAPER_JOBS, only the seconds column does
#   PAPER_DOC      the document (default docs/PAPER.md)
#   PAPER_CLI      the dropnet binary (default ./build/dropnet; scripts/test_doc_tables.py uses a stub)
#   PAPER_RESULTS  the runs (default docs/paper_results.tsv)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-40}
tables=${2:-ABC}
seeds=${PAPER_SEEDS:-42 1 2 3}
jobs=${PAPER_JOBS:-1}
threads=${PAPER_THREADS:+--threads $PAPER_THREADS}
doc=${PAPER_DOC:-docs/PAPER.md}
results=${PAPER_RESULTS:-docs/paper_results.tsv}
cli=${PAPER_CLI:-./build/dropnet}
python=/usr/bin/python3
[ -x "$python" ] || python=python3
plain="dense:1024:relu,dense:1024:relu,dense:10:softmax"
dropout="dropout:0.2,dense:1024:relu,dropout:0.5,dense:1024:relu,dropout:0.5,dense:10:softmax"
longer_epochs=100 patience=10 rows=""
if [ "${PAPER_QUICK:-}" = 1 ]; then
  epochs=2 longer_epochs=3 patience=1 rows="--max-rows 2000"
  mkdir -p build/paper-quick
  cp "$doc" build/paper-quick/PAPER.md
  [ -f "$results" ] && cp "$results" build/paper-quick/results.tsv
  doc=build/paper-quick/PAPER.md results=build/paper-quick/results.tsv
fi
data="--train fashion-mnist:train --test fashion-mnist:test --standardize --batch 128 $rows"
adam="--optimizer adam --lr 0.001 --lr-decay 0.95"
sgd="--optimizer sgd --lr 0.01 --lr-decay 0.95 --momentum-ramp 0.5:0.99:10"
longer="--epochs $longer_epochs --val-split 0.1 --early-stopping $patience --monitor val_accuracy"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit+changes"
out=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null || true; wait; rm -rf "$out"' EXIT # no run outlives the script
header="table	method	spec	extra	seed	error	loss	epochs	best	seconds	commit"

run() { # directory table name spec seed settings extra-flags; writes directory/line when done
  local dir=$1 table=$2 name=$3 spec=$4 seed=$5 settings=$6 extra=$7 start end acc loss error epochs_run best
  start=$(date +%s.%N)
  # A run that blows up exits 1 ("became NaN or infinite"): that is a result, not a script error.
  # Waited for in the background, so that the script's exit trap (SIGTERM) stops the training too.
  $cli train $data --epochs "$epochs" --seed "$seed" $settings --model "$spec" $extra $threads \
    --out "$dir/m.safetensors" --log "$dir/log.jsonl" > "$dir/log.txt" 2>&1 &
  local child=$!
  trap 'kill "$child" 2> /dev/null; wait "$child"; exit 143' TERM
  wait "$child" || true
  trap - TERM
  end=$(date +%s.%N)
  acc=$(sed -n 's/^test loss [0-9.]* - test accuracy \([0-9.]*\)$/\1/p' "$dir/log.txt")
  loss=$(sed -n 's/^test loss \([0-9.]*\) - test accuracy [0-9.]*$/\1/p' "$dir/log.txt")
  if [ -n "$acc" ]; then
    error=$(awk -v a="$acc" 'BEGIN{printf "%.2f", (1 - a) * 100}')
  else
    error="failed: $( (grep -o 'in epoch [0-9]*, batch [0-9]*' "$dir/log.txt" || tail -n 1 "$dir/log.txt") | head -1)"
  fi
  epochs_run=$(grep -c '^{"epoch"' "$dir/log.jsonl" 2>/dev/null || true)
  best=""
  if [[ $settings == *--early-stopping* ]]; then # the first epoch of highest val_accuracy
    best=$(sed -n 's/^{"epoch":\([0-9]*\),.*"val_accuracy":\([0-9.e-]*\),.*/\1 \2/p' "$dir/log.jsonl" |
           awk 'NR == 1 || $2 > v { v = $2; e = $1 } END { print e }')
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$table" "$name" "$spec" "$extra" "$seed" \
    "$error" "$loss" "$epochs_run" "$best" \
    "$(awk -v s="$start" -v e="$end" 'BEGIN{printf "%.0f", e - s}')" "$commit" > "$dir/line.tmp"
  mv "$dir/line.tmp" "$dir/line" # its presence says the run is over
  echo "$table $name seed $seed: test error $error, test loss ${loss:-none}" >&2
}

# The runs, PAPER_JOBS at a time, in order; run number i works in $out/i.
count=0 launched="" written=""
declare -A first_run last_run
launch() { # table name spec seed settings extra-flags
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n || true
    write_finished
  done
  count=$((count + 1))
  mkdir "$out/$count"
  [ -n "${first_run[$1]:-}" ] || first_run[$1]=$count
  last_run[$1]=$count
  run "$out/$count" "$@" &
}

# Writes every table whose runs are all launched and over, once.
write_finished() {
  local table i
  for table in $launched; do
    [[ $written == *$table* ]] && continue
    for ((i = first_run[$table]; i <= last_run[$table]; i++)); do
      [ -f "$out/$i/line" ] || continue 2
    done
    write_table "$table"
    written="$written$table"
  done
}

# RESULTS with TABLE's lines replaced by this run's, then TABLE rewritten in DOC from it.
write_table() {
  local table=$1 i
  local kept=/dev/null t
  if [ -f "$results" ]; then kept=$results; fi
  { # tables in the order A, B, C whichever ends first
    echo "$header"
    for t in A B C; do
      if [ "$t" = "$table" ]; then
        for ((i = first_run[$table]; i <= last_run[$table]; i++)); do cat "$out/$i/line"; done
      else
        tail -n +2 "$kept" | awk -F '\t' -v t="$t" '$1 == t'
      fi
    done
  } > "$out/results.tsv"
  PAPER_TABLES="$table" PAPER_SOURCE="\`$results\` (\`${PAPER_QUICK:+PAPER_QUICK=1 }${PAPER_JOBS:+PAPER_JOBS=$PAPER_JOBS }${PAPER_THREADS:+PAPER_THREADS=$PAPER_THREADS }scripts/paper.sh $epochs $tables\`${PAPER_QUICK:+: 2000 rows, a check of the script, not a result}, $(date -u +%Y-%m-%d), dropnet $($cli --version | cut -d' ' -f2), $(nproc) cores)" \
    "$python" scripts/doc_tables.py paper "$out/results.tsv" "$doc"
  cp "$out/results.tsv" "$results.tmp"
  mv "$results.tmp" "$results" # same directory: the rename is atomic
  echo "wrote table $table into $doc and $results" >&2
}

regularisers() { # table settings seed
  launch "$1" "no regulariser" "$plain" "$3" "$2" ""
  launch "$1" "L2 (λ = 1e-4)" "$plain" "$3" "$2" "--l2 0.0001"
  launch "$1" "max-norm (c = 3.5)" "$plain" "$3" "$2" "--max-norm 3.5"
  launch "$1" "dropout" "$dropout" "$3" "$2" ""
  launch "$1" "dropout + max-norm (c = 3.5)" "$dropout" "$3" "$2" "--max-norm 3.5"
  launched="$launched $1"
}

if [[ $tables == *A* ]]; then regularisers A "$adam" 42; fi
if [[ $tables == *B* ]]; then regularisers B "$sgd" 42; fi
if [[ $tables == *C* ]]; then
  for seed in $seeds; do
    launch C "no regulariser" "$plain" "$seed" "$adam $longer" ""
    launch C "dropout" "$dropout" "$seed" "$adam $longer" ""
  done
  launched="$launched C"
fi
wait
write_finished

echo "wrote $doc and $results" >&2
