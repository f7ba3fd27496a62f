#!/bin/bash
# The HTML pages of `ceval leaderboard --format html` and `ceval check
# --format html`, loaded in a real browser: headless Chromium (Debian
# `chromium`, installed by tools/install_deps.sh) renders each page and the
# test reads the rendered DOM (--dump-dom): the summary table's rows, one
# <svg> chart per task type, the sorting script ran (and sorts), no script
# error (the page records errors in #errors) and no console message (Chromium
# logs them to stderr).  The pages must not load anything from elsewhere.
# Without chromium the test fails; CEVAL_SKIP_BROWSER=1 skips it explicitly.
set -u
. "$(dirname "$0")/lib/common.sh"

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$CHROMIUM" ]; then
	if [ "${CEVAL_SKIP_BROWSER:-0}" = 1 ]; then
		echo "(chromium not installed, CEVAL_SKIP_BROWSER=1: browser test skipped)"
		finish
		exit
	fi
	bad "chromium not found: install it (make deps) or set CEVAL_SKIP_BROWSER=1"
	finish
	exit
fi
# render URL into $T/dom.html; console messages (errors included) into $T/console
render() {
	timeout 120 "$CHROMIUM" --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$T/chrome" \
		--enable-logging=stderr --v=0 --dump-dom "$1" >"$T/dom.html" 2>"$T/chrome.err"
	local rc=$?
	grep -F ':CONSOLE' "$T/chrome.err" >"$T/console"
	[ "$rc" = 0 ] && ok || { bad "chromium exit $rc on $1"; tail -5 "$T/chrome.err"; }
}
no_errors() {
	grep -q '<div id="errors"></div>' "$T/dom.html" && ok || bad "$1: script errors: $(grep -o 'id="errors">[^<]*' "$T/dom.html")"
	[ ! -s "$T/console" ] && ok || { bad "$1: console messages"; cat "$T/console"; }
	grep -q 'data-ready="1"' "$T/dom.html" && ok || bad "$1: the page's script did not run"
}
self_contained() {
	# nothing loaded from elsewhere: no src/href attributes, no URL but the SVG namespace
	if grep -Eq '(src|href)=' "$1"; then bad "$1 loads something: $(grep -Eo '(src|href)=[^ >]*' "$1" | head -3)"; else ok; fi
	if grep -o 'https\?://[^"]*' "$1" | grep -qv '^http://www.w3.org/2000/svg$'; then bad "$1 names a URL"; else ok; fi
}

# a port of bge-base-zh-v1.5 (its published files, two tasks lowered) beside the published rows
mkdir -p "$T/runs/my-port"
cp published/results/BAAI__bge-base-zh-v1.5/no_revision_available/*.json "$T/runs/my-port/"
rm "$T/runs/my-port/model_meta.json"
"$PY" - "$T/runs/my-port" <<'EOF'
import json, sys, os
p = os.path.join(sys.argv[1], "T2Retrieval.json"); j = json.load(open(p)); j["dev"]["ndcg_at_10"] -= 0.006; json.dump(j, open(p, "w"))
p = os.path.join(sys.argv[1], "TNews.json"); j = json.load(open(p))
j["validation"]["accuracy"] -= 0.02; j["validation"]["main_score"] -= 0.02; json.dump(j, open(p, "w"))
EOF

# leaderboard page
expect_rc 0 "leaderboard html" "$BIN" leaderboard -r "$T/runs" --published --format html --output "$T/board.html"
self_contained "$T/board.html"
render "file://$T/board.html"
no_errors "leaderboard"
"$PY" - "$T/dom.html" >"$T/facts" <<'EOF'
import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.rows = []; self.svgs = []; self.own = 0; self.in_summary = False
        self.cell = None; self.first = None
    def handle_starttag(self, tag, a):
        a = dict(a)
        if tag == "table" and a.get("id") == "summary": self.in_summary = True
        if tag == "tr" and self.in_summary and a.get("class") in ("own", "published"):
            self.rows.append(a["class"]); self.cell = 0
        if tag == "td" and self.in_summary and self.cell is not None:
            self.cell += 1
        if tag == "svg" and "chart" in a.get("class", ""): self.svgs.append(a.get("data-type"))
    def handle_endtag(self, tag):
        if tag == "table": self.in_summary = False
    def handle_data(self, d):
        if self.in_summary and self.cell == 1 and len(self.rows) == 1 and self.first is None and d.strip():
            self.first = d.strip()
p = P(); p.feed(open(sys.argv[1]).read())
print("rows", len(p.rows)); print("own", p.rows.count("own")); print("published", p.rows.count("published"))
print("svgs", " ".join(p.svgs)); print("first", p.first)
EOF
expect_grep "rows 14" "$T/facts" "summary: 14 rows (13 published + the port)"
expect_grep "own 1" "$T/facts" "one own row"
expect_grep "published 13" "$T/facts" "13 published rows"
expect_grep "svgs Retrieval STS PairClassification Classification Reranking Clustering" "$T/facts" "one svg per task type"
expect_grep "first BAAI/bge-large-zh-v1.5" "$T/facts" "sorted by Avg as written"
# the port's bar is highlighted (own colour) in every chart
[ "$(grep -o '<g class="bar own">' "$T/dom.html" | wc -l)" = 6 ] && ok || bad "own bar in each of the 6 charts"
# sorting runs in the browser: #sort=0 sorts the summary by model name
render "file://$T/board.html#sort=0"
no_errors "leaderboard sorted"
"$PY" - "$T/dom.html" <<'EOF' >"$T/order"
import re, sys
body = open(sys.argv[1]).read()
summary = body[body.index('id="summary"'):]
summary = summary[:summary.index("</table>")]
print("\n".join(re.sub("<[^>]+>", "", m) for m in re.findall(r"<tr class=\"(?:own|published)\"><td>(.*?)</td>", summary)))
EOF
head -1 "$T/order" | grep -q '^BAAI/bge-base-zh' && ok || bad "sorted by name: first is $(head -1 "$T/order")"
grep -q 'th class="asc"' "$T/dom.html" && ok || bad "sorted column marked"
sort -f -c "$T/order" 2>/dev/null && ok || bad "rows in name order"

# check page: diverging chart of deltas with tolerance bands
expect_rc 1 "check html" "$BIN" check -r "$T/runs/my-port" -b published:bge-base-zh-v1.5 --format html --output "$T/check.html"
self_contained "$T/check.html"
render "file://$T/check.html"
no_errors "check"
[ "$(grep -o '<svg class="chart deltas"' "$T/dom.html" | wc -l)" = 1 ] && ok || bad "one delta chart"
[ "$(grep -o '<g class="bar ' "$T/dom.html" | wc -l)" = 35 ] && ok || bad "35 bars"
[ "$(grep -o '<g class="bar regressed">' "$T/dom.html" | wc -l)" = 2 ] && ok || bad "2 regressed bars"
[ "$(grep -o 'fill="#dafbe1"' "$T/dom.html" | wc -l)" = 35 ] && ok || bad "a tolerance band per task"
[ "$(grep -o '<tr class="[a-z]*"><td>' "$T/dom.html" | wc -l)" = 35 ] && ok || bad "35 table rows"

# screenshots render (the README's are doc/leaderboard.png and doc/check.png)
timeout 120 "$CHROMIUM" --headless --disable-gpu --no-sandbox --no-first-run --user-data-dir="$T/chrome" \
	--hide-scrollbars --window-size=1150,1250 --screenshot="$T/board.png" "file://$T/board.html" 2>/dev/null
[ "$(head -c 8 "$T/board.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && ok || bad "screenshot is a PNG"

finish
