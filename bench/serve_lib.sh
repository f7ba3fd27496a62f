# serve_lib.sh - sourced by bench/serve_bench.sh and bench/serve_soak.sh.
# start_serve NAME CEVAL MODEL THREADS: starts `ceval serve` on a free
# loopback port in the background; sets $pid and $port (the caller's EXIT
# trap kills $pid).  Output goes to $tmp/serve.{out,err}.  Exits 1 with the
# server's stderr when it has not named its URL within 30 s.
start_serve() {
	"$2" serve --model "$3" --port 0 --threads "$4" -q >"$tmp/serve.out" 2>"$tmp/serve.err" &
	pid=$!
	port=""
	for _ in $(seq 1 300); do
		port=$(sed -n 's/.*:\([0-9]*\)\/v1$/\1/p' "$tmp/serve.out" 2>/dev/null)
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { echo "$1: the server did not start"; cat "$tmp/serve.err"; exit 1; }
}
