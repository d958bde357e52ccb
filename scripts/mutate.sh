#!/usr/bin/env bash
# mutate.sh — mutation testing: does the suite catch plausible one-line bugs?
#
#   bash scripts/mutate.sh [-b] [-k] [-j N] [ID ...]     (make mutate [MUTANTS="ID ..."])
#
# Each mutant of scripts/mutants.txt replaces a literal text (`from:`, found in exactly one
# place under src/, cli/ or include/, so the catalogue survives file moves) with another (`to:`)
# — a few from/to pairs when the bug is a moved line — in a scratch copy of this working tree, rebuilds the library, CLI and test runner there, and
# runs the tests named by `tests:` (name substrings, "all" for the whole suite). The mutant is
#   caught     the build refused it or a test failed (what we want);
#   SURVIVED   the tests passed: a test is missing, unless the entry says `equivalent:` why no
#              test can tell (then it is "explained");
#   STALE      its `from:` text is found nowhere, or more than once: edit the catalogue.
# The scratch copy is built once; each mutant rebuilds only what it touches. Results go to
# build/mutate/results.txt (one line each) and the summary last. Exit status 0 only when every
# mutant is caught or explained and none is stale. The unmutated suite must pass first (-b skips
# that baseline); -k keeps the scratch copy; -j N is make's -j (1 by default: the machine is
# shared). Nothing here touches the working tree itself.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
catalogue=${MUTATE_CATALOGUE:-scripts/mutants.txt} # another catalogue: MUTATE_CATALOGUE=FILE
jobs=1
keep=0
baseline=1
per_mutant_timeout=${MUTATE_TIMEOUT:-900}
while getopts "bkj:" opt; do
    case $opt in
    b) baseline=0 ;;
    k) keep=1 ;;
    j) jobs=$OPTARG ;;
    *) echo "usage: $0 [-b] [-k] [-j N] [ID ...]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
wanted=" $* "

out=$root/build/mutate
mkdir -p "$out"
results=$out/results.txt
: > "$results"
scratch=$(mktemp -d /tmp/dropnet-mutate-XXXXXX)
cleanup() { if [ "$keep" = 1 ]; then echo "scratch copy kept: $scratch"; else rm -rf "$scratch"; fi; }
trap cleanup EXIT

# The working tree as it is (uncommitted edits included), without build outputs or git data.
tar -c --exclude=./.git --exclude='./build*' --exclude=./node_modules . | tar -x -C "$scratch"
# ONNX Runtime (`make onnxruntime`, build/npm) is a test tool, not a build output: the copy uses
# the tree's, read only (without it the ONNX tests fail the baseline).
if [ -d "$root/build/npm" ]; then mkdir -p "$scratch/build" && ln -s "$root/build/npm" "$scratch/build/npm"; fi
echo "scratch copy: $scratch; building it once (make -j$jobs)"
build() { make -C "$scratch" -j"$jobs" WERROR= build/dropnet-tests build/dropnet > "$1" 2>&1; }
if ! build "$out/baseline-build.log"; then
    echo "the unmutated copy does not build: $out/baseline-build.log" >&2
    exit 2
fi
# A mutant counts as caught only if the tests pass without it: the whole suite first (-b skips
# this when you know it passes, e.g. to rerun a few mutants).
if [ "$baseline" = 1 ]; then
    echo "baseline: the whole suite on the unmutated copy"
    if ! (cd "$scratch" && ./build/dropnet-tests) > "$out/baseline.log" 2>&1; then
        echo "the suite fails without any mutant: $out/baseline.log" >&2
        exit 2
    fi
    tail -n 1 "$out/baseline.log"
fi

SEP=$'\x1f' # between the from/to pairs of one mutant
# Reads the catalogue into parallel arrays: blocks "[id]" followed by "key: value" lines.
ids=() files=() froms=() tos=() tests=() equivs=() whys=()
flush() {
    [ -n "${id:-}" ] || return 0
    ids+=("$id") froms+=("$from") tos+=("$to") tests+=("$t") equivs+=("$equiv") whys+=("$why")
}
id=""
while IFS= read -r line || [ -n "$line" ]; do
    case $line in
    '#'* | '') continue ;;
    '['*']') flush; id=${line#[}; id=${id%]}; from="" to="" t="all" equiv="" why="" ;;
    'from: '*) from+=${from:+$SEP}${line#from: } ;;
    'to:'*) v=${line#to:}; to+=${to:+$SEP}${v# } ;;
    'tests: '*) t=${line#tests: } ;;
    'why: '*) why=${line#why: } ;;
    'equivalent: '*) equiv=${line#equivalent: } ;;
    *) echo "$catalogue: cannot read line: $line" >&2; exit 2 ;;
    esac
done < "$catalogue"
flush

# The one file under src/, cli/, include/ holding `from` exactly once (empty when none or many).
locate() {
    local hits
    hits=$(cd "$scratch" && grep -rlF --include='*.c' --include='*.h' -e "$1" src cli include)
    [ "$(printf '%s\n' "$hits" | grep -c .)" = 1 ] || return 1
    [ "$(grep -cF -e "$1" "$scratch/$hits")" = 1 ] || return 1
    printf '%s\n' "$hits"
}

caught=0 survived=0 explained=0 stale=0 total=0
start_all=$(date +%s)
for i in "${!ids[@]}"; do
    id=${ids[$i]}
    [ "$wanted" = "  " ] || [[ $wanted == *" $id "* ]] || continue
    total=$((total + 1))
    IFS=$SEP read -r -a from_list <<< "${froms[$i]}"
    IFS=$SEP read -r -a to_list <<< "${tos[$i]}"
    files_touched=() bad=""
    for k in "${!from_list[@]}"; do
        f=$(locate "${from_list[$k]}") || { bad=${from_list[$k]}; break; }
        files_touched+=("$f")
    done
    if [ -n "$bad" ] || [ ${#from_list[@]} != ${#to_list[@]} ] || [ ${#from_list[@]} = 0 ]; then
        echo "STALE      $id: 'from' text found nowhere or more than once (or from/to unpaired): $bad" | tee -a "$results"
        stale=$((stale + 1))
        continue
    fi
    for f in $(printf '%s\n' "${files_touched[@]}" | sort -u); do
        mkdir -p "$out/original/$(dirname "$f")"
        cp "$scratch/$f" "$out/original/$f"
    done
    for k in "${!from_list[@]}"; do
        FROM=${from_list[$k]} TO=${to_list[$k]} perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/' \
            "$scratch/${files_touched[$k]}"
    done
    file=$(printf '%s\n' "${files_touched[@]}" | sort -u | tr '\n' ' ')
    file=${file% }
    start=$(date +%s)
    verdict=""
    if ! build "$out/$id.log"; then
        verdict="caught" how="the build refused it"
    else
        filter=()
        [ "${tests[$i]}" = all ] || read -r -a filter <<< "${tests[$i]}"
        (cd "$scratch" && timeout "$per_mutant_timeout" ./build/dropnet-tests "${filter[@]}") \
            >> "$out/$id.log" 2>&1
        rc=$?
        if [ $rc = 0 ]; then verdict="survived"
        elif [ $rc = 124 ]; then verdict="caught" how="the tests timed out"
        else verdict="caught" how="failed: $(grep '^FAIL' "$out/$id.log" | cut -d' ' -f2 | paste -sd' ')"
        fi
    fi
    for f in $file; do
        cp "$out/original/$f" "$scratch/$f"
        touch "$scratch/$f" # newer than the mutant's objects: the next build recompiles it
    done
    rm -rf "$out/original"
    secs=$(($(date +%s) - start))
    if [ "$verdict" = caught ]; then
        caught=$((caught + 1))
        echo "caught     $id (${secs} s, $how; $file)" | tee -a "$results"
        rm -f "$out/$id.log"
    elif [ -n "${equivs[$i]}" ]; then
        explained=$((explained + 1))
        echo "explained  $id (${secs} s; equivalent: ${equivs[$i]})" | tee -a "$results"
    else
        survived=$((survived + 1))
        echo "SURVIVED   $id (${secs} s; $file; ${whys[$i]}; log $out/$id.log)" | tee -a "$results"
    fi
done
minutes=$(( ($(date +%s) - start_all + 59) / 60 ))
summary="$total mutants: $caught caught, $explained explained (equivalent), $survived survived, $stale stale ($minutes min, make -j$jobs)"
echo "$summary" | tee -a "$results"
[ $survived = 0 ] && [ $stale = 0 ]
