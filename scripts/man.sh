#!/usr/bin/env bash
# man.sh — writes the man page dropnet.1 (troff) from the CLI's own help texts, so the page can
# never disagree with `dropnet --help` and `dropnet COMMAND --help`. Called by `make man`.
#   bash scripts/man.sh BUILD/dropnet VERSION > BUILD/dropnet.1
set -euo pipefail
cli=$1
version=$2

# Escapes what troff would take as requests or escapes: backslashes, and a leading dot or quote.
esc() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/" -e 's/-/\\-/g'; }

echo ".TH DROPNET 1 \"\" \"dropnet $version\" \"User Commands\""
echo ".SH NAME"
echo "dropnet \\- feed-forward neural networks with dropout"
echo ".SH SYNOPSIS"
echo ".B dropnet"
echo ".I COMMAND"
echo "[\\fIOPTIONS\\fR]"
echo ".SH DESCRIPTION"
"$cli" --help | sed -n '1p' | esc
echo ".SH COMMANDS"
commands=$("$cli" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
for c in $commands; do
  echo ".SS $c"
  echo ".nf"
  "$cli" "$c" --help | esc
  echo ".fi"
done
echo ".SH SEE ALSO"
echo "README.md, docs/FORMAT.md (model files and ONNX), docs/DATA.md (data sources)."
