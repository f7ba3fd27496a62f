#!/bin/bash
# The parquet reader against the Apache parquet-testing conformance files
# (../shared/parquet-testing): every data/ file is either read by `ceval cat`
# with the same values as DuckDB's export in expected/ (pq_compare.py compares
# parsed JSON values), or refused with a one-line error naming the file and
# the column, listed below with the reason; every bad_data/ file is refused
# (exit 3, one line naming the file) except the one noted.  Plus `ceval cat`
# options and JSON Lines input.
set -u
. "$(dirname "$0")/lib/common.sh"
PT=${CEVAL_SHARED:-../shared}/parquet-testing
CMP="$PY $(dirname "$0")/pq_compare.py"
[ -d "$PT/data" ] || { echo "FAIL: $PT/data missing"; exit 1; }

# file (without .parquet) -> "stderr substring|columns still compared (comma list, may be empty)".
# Out of scope: INT96, decimals, structs, maps, nested lists.  Corrupt checksums: refused by
# default (DuckDB does not verify CRCs), compared with --skip-crc below.
declare -A REFUSED=(
	[alltypes_dictionary]="column 'timestamp_col': INT96|id,bool_col,tinyint_col,smallint_col,int_col,bigint_col,float_col,double_col,date_string_col,string_col"
	[alltypes_plain]="column 'timestamp_col': INT96|id,bool_col,tinyint_col,smallint_col,int_col,bigint_col,float_col,double_col,date_string_col,string_col"
	[alltypes_plain.snappy]="column 'timestamp_col': INT96|id,bool_col,tinyint_col,smallint_col,int_col,bigint_col,float_col,double_col,date_string_col,string_col"
	[alltypes_tiny_pages_plain]="column 'timestamp_col': INT96|id,bool_col,tinyint_col,smallint_col,int_col,bigint_col,float_col,double_col,date_string_col,string_col,year,month"
	[byte_array_decimal]="column 'value': DECIMAL|"
	[int96_from_spark]="column 'a': INT96|"
	[datapage_v1-corrupt-checksum]="column 'a', row group 0: page CRC mismatch|"
	[rle-dict-uncompressed-corrupt-checksum]="column 'long_field', row group 0: page CRC mismatch|"
	[nested_lists.snappy]="column 'a': nested lists|b"
	[nested_structs.rust]="column 'roll_num': structs|"
	[nonnullable.impala]="column 'int_array_array': nested lists|ID,Int_Array"
	[nullable.impala]="column 'int_array_Array': nested lists|id,int_array"
	[nulls.snappy]="column 'b_struct': structs|"
	[old_list_structure]="column 'a': lists of structs and legacy nested lists|"
	[repeated_primitive_no_list]="column 'group_of_lists': structs|Int32_list,String_list"
)
# DuckDB cannot read the codec-5 (LZ4) files; upstream wrote the same 4 rows as lz4_raw_compressed.
declare -A SAME_AS=([hadoop_lz4_compressed]=lz4_raw_compressed [non_hadoop_lz4_compressed]=lz4_raw_compressed)

one_line_err() { # FILE-NAME DESCRIPTION: stderr is one line naming the file
	if [ "$(wc -l <"$T/err")" = 1 ] && grep -qF "$1" "$T/err"; then ok; else bad "$2: stderr not one line naming $1"; cat "$T/err"; fi
}

n_match=0 n_refused=0
for f in "$PT"/data/*.parquet; do
	n=$(basename "$f" .parquet)
	ref=$PT/expected/${SAME_AS[$n]:-$n}.jsonl
	if [ -n "${REFUSED[$n]+x}" ]; then
		want=${REFUSED[$n]%%|*} cols=${REFUSED[$n]#*|}
		expect_rc 3 "$n refused" "$BIN" cat "$f"
		expect_grep "$want" "$T/err" "$n refusal reason"
		one_line_err "$n.parquet" "$n"
		n_refused=$((n_refused + 1))
		if [ -n "$cols" ]; then
			expect_rc 0 "$n --columns" "$BIN" cat "$f" --columns "$cols"
			if $CMP "$T/out" "$ref" ${cols//,/ } >"$T/cmp"; then ok; else bad "$n (columns $cols) differs from DuckDB"; cat "$T/cmp"; fi
		fi
	else
		expect_rc 0 "$n read" "$BIN" cat "$f"
		if $CMP "$T/out" "$ref" >"$T/cmp"; then ok; n_match=$((n_match + 1)); else bad "$n differs from DuckDB"; cat "$T/cmp"; fi
	fi
done
echo "conformance: $n_match files equal to DuckDB, $n_refused refused as listed"
[ "$n_match" -ge 29 ] && ok || bad "only $n_match files matched (29 expected)"
for n in "${!REFUSED[@]}"; do [ -f "$PT/data/$n.parquet" ] || bad "refusal list names a missing file $n"; done

# corrupt checksums: the values are right once the check is skipped
for n in datapage_v1-corrupt-checksum rle-dict-uncompressed-corrupt-checksum; do
	expect_rc 0 "$n --skip-crc" "$BIN" cat "$PT/data/$n.parquet" --skip-crc
	if $CMP "$T/out" "$PT/expected/$n.jsonl" >"$T/cmp"; then ok; else bad "$n --skip-crc differs"; cat "$T/cmp"; fi
done

# bad_data: refused with exit 3 and one line naming the file (and what is wrong)
declare -A BAD=(
	[PARQUET-1481]="corrupt schema"
	[ARROW-RS-GH-6229-DICTHEADER]="column 'name', row group 0"
	[ARROW-RS-GH-6229-LEVELS]="column 'outer'"
	[ARROW-GH-45185]="repetition levels start with 1"
	[ARROW-GH-47662]="column 'flba_field', row group 0"
	[ARROW-GH-41317]="column 'time32_s'"
	[ARROW-GH-41321]="column 'time32_s'"
)
for n in "${!BAD[@]}"; do
	expect_rc 3 "bad_data $n" "$BIN" cat "$PT/bad_data/$n.parquet"
	expect_grep "${BAD[$n]}" "$T/err" "bad_data $n reason"
	one_line_err "$n.parquet" "bad_data $n"
done
# the two "columns of different sizes" files, restricted to readable columns: the corrupt chunks are found
expect_rc 3 "GH-41317 corrupt chunk" "$BIN" cat "$PT/bad_data/ARROW-GH-41317.parquet" --columns boolean,timestamp_us_no_tz
expect_grep "column 'timestamp_us_no_tz', row group 0: corrupt page header" "$T/err" "GH-41317 reason"
for c in int64 large_binary fixed_size_list_float64; do
	expect_rc 3 "GH-41321 $c" "$BIN" cat "$PT/bad_data/ARROW-GH-41321.parquet" --columns "$c"
	expect_grep "column '$c', row group" "$T/err" "GH-41321 $c reason"
	expect_grep "definition levels" "$T/err" "GH-41321 $c levels"
done
# ARROW-GH-43605: dictionary indices of bit width 0 with a one-value dictionary.  That is valid
# Parquet (every index is 0) which crashed Arrow; we read it: 21186 rows of the one value.
expect_rc 0 "GH-43605 read" "$BIN" cat "$PT/bad_data/ARROW-GH-43605.parquet"
[ "$(wc -l <"$T/out")" = 21186 ] && [ "$(sort -u "$T/out")" = '{"min_fl":0}' ] && ok || bad "GH-43605 values"
# every bad_data file is covered above
for f in "$PT"/bad_data/*.parquet; do
	n=$(basename "$f" .parquet)
	[ -n "${BAD[$n]+x}" ] || [ "$n" = ARROW-GH-43605 ] || bad "bad_data/$n.parquet not covered by this test"
done

# options: --columns order, --limit, --schema, errors
D=$PT/data
expect_rc 0 "columns order" "$BIN" cat "$D/list_columns.parquet" --columns utf8_list,int64_list --limit 2
[ "$(cat "$T/out")" = '{"utf8_list":["abc","efg","hij"],"int64_list":[1,2,3]}
{"utf8_list":null,"int64_list":[null,1]}' ] && ok || { bad "columns order / limit"; cat "$T/out"; }
expect_rc 0 "repeated -c" "$BIN" cat "$D/datapage_v2.snappy.parquet" -c b -c e -n 1
[ "$(cat "$T/out")" = '{"b":1,"e":[1,2,3]}' ] && ok || { bad "repeated -c"; cat "$T/out"; }
expect_rc 0 "schema" "$BIN" cat --schema "$D/alltypes_plain.parquet"
expect_grep "8 rows, 1 row groups" "$T/out" "schema rows"
expect_grep "timestamp_col: unsupported - INT96" "$T/out" "schema reason"
expect_rc 3 "unknown column" "$BIN" cat "$D/binary.parquet" --columns nope
expect_grep "binary.parquet: no column 'nope'" "$T/err" "unknown column message"
expect_rc 3 "missing file" "$BIN" cat "$T/none.parquet"
expect_grep "none.parquet" "$T/err" "missing file named"
printf 'PAR1 this is not parquet PAR1' >"$T/fake.parquet"
expect_rc 3 "not parquet" "$BIN" cat "$T/fake.parquet"
one_line_err "fake.parquet" "not parquet"
expect_rc 2 "no file" "$BIN" cat
expect_rc 0 "help" "$BIN" cat --help
expect_grep "--columns" "$T/out" "help lists --columns"

# JSON Lines input, plain and zstd; several files in order; --limit across files
printf '{"_id":"d1","text":"a\\u00e9","n":[1,2]}\n\n{"_id":"d2","text":"b"}\n' >"$T/c.jsonl"
expect_rc 0 "jsonl" "$BIN" cat "$T/c.jsonl" --columns text,_id,n
[ "$(cat "$T/out")" = '{"text":"aé","_id":"d1","n":[1,2]}
{"text":"b","_id":"d2","n":null}' ] && ok || { bad "jsonl columns"; cat "$T/out"; }
zstd -q "$T/c.jsonl" -o "$T/c.jsonl.zst"
expect_rc 0 "jsonl.zst + parquet, limit" "$BIN" cat "$T/c.jsonl.zst" "$D/binary.parquet" -n 3
[ "$(cat "$T/out")" = '{"_id":"d1","text":"aé","n":[1,2]}
{"_id":"d2","text":"b"}
{"foo":"\\x00"}' ] && ok || { bad "jsonl.zst then parquet"; cat "$T/out"; }
printf '{"a":1}\n{"a":\n' >"$T/bad.jsonl"
expect_rc 3 "bad jsonl" "$BIN" cat "$T/bad.jsonl"
expect_grep "bad.jsonl:2:" "$T/err" "bad jsonl line"
finish
