#!/usr/bin/env bash
# check_cli_layout.sh OBJ_ROOT [DIR...] — two rules of the tree (docs/ARCHITECTURE.md), checked on
# the object files a build made (OBJ_ROOT, e.g. build/obj) for the sources under each DIR (cli):
#  1. No link cycle between object files in different folders: an edge a.o → b.o where a uses a
#     symbol b defines; tsort finds the loops, and a loop is allowed only inside one folder.
#  2. Every header is named after the .c that defines its functions: each global function a .o
#     defines is declared in the header of the same name beside it (commands.h declares the
#     cmd_*.c commands; main has no header).
# Prints every violation and exits 1 if there is one.
set -euo pipefail
obj_root=$1
shift
dirs=("${@:-cli}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

objs=()
for d in "${dirs[@]}"; do
  while IFS= read -r o; do objs+=("$o"); done < <(find "$obj_root/$d" -name '*.o' | sort)
done
if [ ${#objs[@]} -eq 0 ]; then
  echo "check_cli_layout: no object files under $obj_root for ${dirs[*]} (build first)" >&2
  exit 1
fi

# Who defines what ("symbol object"), who uses what ("object symbol").
for o in "${objs[@]}"; do
  src=${o#"$obj_root"/}
  src=${src%.o}
  nm -g --defined-only "$o" | awk -v s="$src" 'NF == 3 && $2 ~ /[TDBRC]/ {print $3, s}' >> "$tmp/defs"
  nm -u "$o" | awk -v s="$src" '{print s, $NF}' >> "$tmp/uses"
done
sort -k1,1 "$tmp/defs" > "$tmp/defs.sorted"
sort -k2,2 "$tmp/uses" > "$tmp/uses.sorted"
# Edges user → definer, plus a self edge per object so that every object is a node.
join -1 2 -2 1 -o 1.1,2.2 "$tmp/uses.sorted" "$tmp/defs.sorted" | awk '$1 != $2' | sort -u > "$tmp/edges"
for o in "${objs[@]}"; do src=${o#"$obj_root"/}; echo "${src%.o} ${src%.o}"; done >> "$tmp/edges"

# 1. Loops: tsort prints each one on stderr, one member a line after "input contains a loop:".
tsort "$tmp/edges" > /dev/null 2> "$tmp/loops" || true
awk '/input contains a loop/ {n++; next} {sub(/^tsort: /, ""); print n, $0}' "$tmp/loops" > "$tmp/members"
while read -r n; do
  folders=$(awk -v n="$n" '$1 == n {print $2}' "$tmp/members" | xargs -n1 dirname | sort -u | wc -l)
  if [ "$folders" -gt 1 ]; then
    echo "link cycle across folders: $(awk -v n="$n" '$1 == n {printf "%s ", $2}' "$tmp/members")"
    fail=1
  fi
done < <(awk '{print $1}' "$tmp/members" | sort -u)

# 2. Headers named after their .c: the header that declares each defined function.
while read -r sym src; do
  [ "$sym" = main ] && continue
  case $(basename "$src") in cmd_*) expect=$(dirname "$src")/commands.h ;; *) expect=$src.h ;; esac
  found=$(grep -lE "^[A-Za-z_].*[ *]$sym\(" $(for d in "${dirs[@]}"; do find "$d" -name '*.h'; done) 2>/dev/null || true)
  if [ "$found" != "$expect" ]; then
    echo "$src.c defines $sym, declared in ${found:-no header} (expected $expect)"
    fail=1
  fi
done < "$tmp/defs"

[ $fail -eq 0 ] && echo "check_cli_layout: ${#objs[@]} objects under ${dirs[*]}: no cycle across folders, headers named after their files"
exit $fail
