# Shared helpers of the CLI test scripts (sourced, not run).
# Each script ends with `finish`, which prints "N passed, M failed" and sets
# the exit status.
BIN=${CEVAL_BIN:-build/release/ceval}
PY=${PYTHON:-/usr/bin/python3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# keep the embedding cache of `ceval run` inside the test folder
export XDG_CACHE_HOME="$T/xdg-cache"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect_rc WANT DESCRIPTION COMMAND...: stdout to $T/out, stderr to $T/err
expect_rc() {
	local want=$1 what=$2; shift 2
	"$@" >"$T/out" 2>"$T/err"; local rc=$?
	if [ "$rc" = "$want" ]; then ok; else bad "$what: exit $rc, expected $want"; cat "$T/out" "$T/err"; fi
}
# expect_grep FIXED-STRING FILE DESCRIPTION
expect_grep() {
	if grep -qF -- "$1" "$2"; then ok; else bad "$3: '$1' not in $2"; cat "$2"; fi
}
finish() {
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
}
