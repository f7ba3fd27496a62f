#!/bin/bash
# The newcomer test: clone this repository afresh (with ../shared beside the
# clone, as CI lays it out) and run the two set-up commands exactly as the
# README states them, in order. Run by .ci/run (not by `make test`, which one
# of those commands is).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$top/../shared" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone -q "$top" "$work/ceval"
ln -s "$shared" "$work/shared"
cd "$work/ceval"
# the first fenced block after "## Set up": one command per line, comments stripped
mapfile -t cmds < <(awk '/^## Set up/{s=1; next} s && /^```/{if (inb) exit; inb=1; next} inb' README.md |
	sed 's/[[:space:]]*#.*$//' | sed '/^[[:space:]]*$/d')
if [ "${#cmds[@]}" != 2 ]; then
	echo "fresh_clone: README's set-up block has ${#cmds[@]} commands, expected 2"
	exit 1
fi
pass=0
for c in "${cmds[@]}"; do
	echo "== fresh clone: $c"
	bash -c "$c"
	pass=$((pass + 1))
done
# the demo left results and printed the leaderboard
ls results/ceval-tiny-zh/*.json >/dev/null
echo "$pass passed, 0 failed"
