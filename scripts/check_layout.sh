#!/usr/bin/env bash
# check_layout.sh OBJ_ROOT [DIR...] — two rules of the tree (docs/ARCHITECTURE.md), checked on
# the object files a build made (OBJ_ROOT, e.g. build/obj) for the sources under each DIR
# (default: cli src):
#  1. No link cycle between object files in different folders: an edge a.o → b.o where a uses a
#     symbol b defines; tsort finds the loops, and a loop is allowed only inside one folder (or
#     between a pair of folders listed in ALLOWED_PAIRS below, with the reason).
#  2. Every header is named after the .c that defines its functions: each global function (or
#     object) a .o defines is declared in the header of the same name beside it. Exceptions:
#     cli's commands.h declares the cmd_*.c commands; main has no header; a function of src/
#     may instead (or also) be declared in include/dropnet.h, the public API defined across src/.
# Prints every violation and exits 1 if there is one.
set -euo pipefail
obj_root=$1
shift
if [ $# -gt 0 ]; then dirs=("$@"); else dirs=(cli src); fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# Folder pairs whose files may form a link cycle, "a b" in sorted order, each with its reason.
# None today: src/model and src/io used to be one (utf8.c and number_text.c), until they moved
# to src/core.
ALLOWED_PAIRS=()

objs=()
for d in "${dirs[@]}"; do
  while IFS= read -r o; do
    src=${o#"$obj_root"/}
    [ -f "${src%.o}.c" ] && objs+=("$o") # not the stale object of a renamed or removed file
  done < <(find "$obj_root/$d" -name '*.o' | sort)
done
if [ ${#objs[@]} -eq 0 ]; then
  echo "check_layout: no object files under $obj_root for ${dirs[*]} (build first)" >&2
  exit 1
fi

# Who defines what ("symbol object"), who uses what ("object symbol").
for o in "${objs[@]}"; do
  src=${o#"$obj_root"/}
  src=${src%.o}
  # Symbols a sanitiser adds (__odr_asan.*, __asan_*) belong to no header.
  nm -g --defined-only "$o" | awk -v s="$src" 'NF == 3 && $2 ~ /[TDBRC]/ && $3 !~ /^__/ {print $3, s}' >> "$tmp/defs"
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
  folders=$(awk -v n="$n" '$1 == n {print $2}' "$tmp/members" | xargs -n1 dirname | sort -u)
  [ "$(echo "$folders" | wc -l)" -le 1 ] && continue
  allowed=0
  for pair in "${ALLOWED_PAIRS[@]+"${ALLOWED_PAIRS[@]}"}"; do
    [ "$(echo "$folders" | tr '\n' ' ' | sed 's/ $//')" = "$pair" ] && allowed=1
  done
  if [ $allowed -eq 0 ]; then
    echo "link cycle across folders: $(awk -v n="$n" '$1 == n {printf "%s ", $2}' "$tmp/members")"
    fail=1
  fi
done < <(awk '{print $1}' "$tmp/members" | sort -u)

# 2. Headers named after their .c: the header that declares each defined function or object (a
# line that starts a declaration and names it before "(", "[", ";", "," or "=").
headers=$(for d in "${dirs[@]}"; do find "$d" -name '*.h'; done; echo include/dropnet.h)
while read -r sym src; do
  [ "$sym" = main ] && continue
  case $(basename "$src") in cmd_*) expect=$(dirname "$src")/commands.h ;; *) expect=$src.h ;; esac
  # shellcheck disable=SC2086 # one path a word
  found=$(grep -lE "^[A-Za-z_].*[ *]$sym *[][(;,=]" $headers 2>/dev/null | paste -sd ' ' || true)
  [ "$found" = "$expect" ] && continue
  case $src in src/*) case $found in include/dropnet.h | "$expect include/dropnet.h") continue ;; esac ;; esac
  echo "$src.c defines $sym, declared in ${found:-no header} (expected $expect)"
  fail=1
done < "$tmp/defs"

[ $fail -eq 0 ] && echo "check_layout: ${#objs[@]} objects under ${dirs[*]}: no cycle across folders, headers named after their files"
exit $fail
