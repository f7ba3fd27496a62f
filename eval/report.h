/*
 * report.h - the leaderboard and the regression gate as CSV and as one
 * self-contained HTML page each (the markdown lives in leaderboard.h, the
 * text table in check.h).
 *
 * HTML pages: no external resource of any kind (no JavaScript framework, no
 * fonts, no fetches); charts are inline SVG; a few lines of inline script
 * sort the tables by a column on a click, and record any script error in
 * the element #errors (so a headless browser's DOM dump shows it).
 *   - leaderboard: the summary table (published rows marked and drawn grey,
 *     the user's rows highlighted), then per task type one bar chart of the
 *     models' type averages (<svg class="chart" data-type="...">) and the
 *     per-task table.
 *   - check: a diverging bar chart of delta per task (new - baseline, x100)
 *     with each task's tolerance band shaded, then the table.
 *
 * Every function returns the text through [out] *out (ce_free) and *len;
 * CE_E_NOMEM is the only error.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stddef.h>

#include "ce_status.h"
#include "check.h"
#include "leaderboard.h"

/* CSV (RFC 4180 quoting): model,published,dim,tasks,avg,<type averages>,<every task>; empty cell = missing. */
enum ce_status report_leaderboard_csv(const struct leaderboard *lb, char **out, size_t *len, struct ce_err *err);
enum ce_status report_leaderboard_html(const struct leaderboard *lb, char **out, size_t *len, struct ce_err *err);

/* CSV: task,type,baseline,new,delta,tolerance,verdict. */
enum ce_status report_check_csv(const struct check_report *r, char **out, size_t *len, struct ce_err *err);
/* title: shown as the heading (e.g. "results/my-port vs published:bge-base-zh-v1.5"). */
enum ce_status report_check_html(const struct check_report *r, const char *title, char **out, size_t *len,
				 struct ce_err *err);

#endif
