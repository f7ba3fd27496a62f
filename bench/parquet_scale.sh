#!/usr/bin/env bash
# parquet_scale.sh - a ~1 GB Parquet corpus (random Chinese text, snappy, DuckDB's
# writer) read by ceval's Parquet reader and by DuckDB on the same file: rows, read
# rate and peak RSS of each.  DuckDB comes from npm (@duckdb/node-api, installed
# once under the bench cache); the file is generated once and kept there.
#   usage: bench/parquet_scale.sh PARQUET_BENCH_BIN [ROWS]
set -euo pipefail
bench=$1
rows=${2:-1100000}
here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/ceval-bench
node_dir=$cache/node
file=$cache/corpus-$rows.parquet
mkdir -p "$node_dir"
if [ ! -d "$node_dir/node_modules/@duckdb/node-api" ]; then
	echo "bench: installing @duckdb/node-api under $node_dir (once)"
	(cd "$node_dir" && npm init -y >/dev/null && npm install --silent @duckdb/node-api >/dev/null)
fi
duck() { (cd "$node_dir" && node --input-type=module -e "$1"); }
if [ ! -f "$file" ]; then
	echo "bench: writing $file ($rows rows of ~300 random CJK characters, once)"
	duck "
import { DuckDBInstance } from '@duckdb/node-api';
const con = await (await DuckDBInstance.create(':memory:')).connect();
await con.run(\`COPY (SELECT 'd' || i AS _id, '' AS title,
  array_to_string(list_transform(range(300), x -> chr(19968 + (hash(i * 1000 + x) % 3000)::INTEGER)), '') AS text
  FROM range($rows) t(i)) TO '$file' (FORMAT parquet, COMPRESSION snappy)\`);
"
fi
echo "file: $file, $(du -m "$file" | cut -f1) MB"
echo "ceval  : $("$bench" "$file" _id title text)"
for threads in 1 2; do
	echo "duckdb (threads=$threads): $(duck "
import { DuckDBInstance } from '@duckdb/node-api';
const con = await (await DuckDBInstance.create(':memory:', { threads: '$threads' })).connect();
const t0 = performance.now();
const r = await con.runAndReadAll(\"SELECT count(*), sum(strlen(_id) + strlen(title) + strlen(text)) FROM read_parquet('$file')\");
const secs = (performance.now() - t0) / 1000;
const [n, b] = r.getRows()[0];
const mb = (await import('node:fs')).statSync('$file').size / 1e6;
console.log(\`rows \${n}  string_bytes \${b}  seconds \${secs.toFixed(2)}  file_MB_per_s \${(mb / secs).toFixed(0)}  peak_rss_MB \${(process.resourceUsage().maxRSS / 1024).toFixed(0)}\`);
")"
done
