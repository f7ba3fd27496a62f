/*
 * report.c - CSV and self-contained HTML (inline SVG charts) for the
 * leaderboard and the regression gate (rules in report.h).
 */
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "ce_buf.h"

/* ------------------------------------------------------------ buffer */

/* Text escaped for HTML element content and attribute values. */
static void rb_html(struct ce_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			ce_buf_printf(b, "&amp;");
			break;
		case '<':
			ce_buf_printf(b, "&lt;");
			break;
		case '>':
			ce_buf_printf(b, "&gt;");
			break;
		case '"':
			ce_buf_printf(b, "&quot;");
			break;
		case '\'':
			ce_buf_printf(b, "&#39;");
			break;
		default:
			ce_buf_printf(b, "%c", *s);
		}
	}
}

/* A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
static void rb_csv(struct ce_buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		ce_buf_printf(b, "%s", s);
		return;
	}
	ce_buf_printf(b, "\"");
	for (; *s; s++)
		ce_buf_printf(b, *s == '"' ? "\"\"" : "%c", *s);
	ce_buf_printf(b, "\"");
}

static void rb_csv_num(struct ce_buf *b, double v)
{
	if (!isnan(v))
		ce_buf_printf(b, "%.2f", v);
}

/* ------------------------------------------------------------ leaderboard CSV */

enum ce_status report_leaderboard_csv(const struct leaderboard *lb, char **out, size_t *len, struct ce_err *err)
{
	const struct suite *su = lb->suite;
	struct ce_buf b = {0};
	ce_buf_printf(&b, "model,published,dim,tasks,avg");
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		if (lb->type_total[leaderboard_type_order[i]])
			ce_buf_printf(&b, ",%s", leaderboard_type_title(leaderboard_type_order[i]));
	for (int32_t k = 0; k < su->n_tasks; k++) {
		ce_buf_printf(&b, ",");
		rb_csv(&b, su->tasks[k]->name);
	}
	ce_buf_printf(&b, "\r\n");
	for (int32_t j = 0; j < lb->n_models; j++) {
		const struct lb_model *m = &lb->models[j];
		rb_csv(&b, m->name);
		ce_buf_printf(&b, ",%d,", m->published ? 1 : 0);
		if (m->dim > 0)
			ce_buf_printf(&b, "%d", (int)m->dim);
		ce_buf_printf(&b, ",%d,", (int)m->n_present);
		rb_csv_num(&b, m->avg);
		for (int i = 0; i < TASK_TYPE_COUNT; i++) {
			enum task_type ty = leaderboard_type_order[i];
			if (!lb->type_total[ty])
				continue;
			ce_buf_printf(&b, ",");
			rb_csv_num(&b, m->type_avg[ty]);
		}
		for (int32_t k = 0; k < su->n_tasks; k++) {
			ce_buf_printf(&b, ",");
			rb_csv_num(&b, m->score[k]);
		}
		ce_buf_printf(&b, "\r\n");
	}
	return ce_buf_finish(&b, "the report", out, len, err);
}

/* ------------------------------------------------------------ HTML page parts */

static const char page_style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:24px;color:#1f2328}\n"
	"h1{font-size:22px}h2{font-size:18px;margin-top:32px}\n"
	"p.note{color:#555;font-size:13px;max-width:900px}\n"
	"table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}\n"
	"th,td{padding:3px 8px;border-bottom:1px solid #e1e4e8;text-align:right;white-space:nowrap}\n"
	"th:first-child,td:first-child{text-align:left}\n"
	"thead th{background:#f6f8fa;cursor:pointer;user-select:none}\n"
	"th.asc::after{content:' \\25B2'}th.desc::after{content:' \\25BC'}\n"
	"tr.own td{background:#fff4d1;font-weight:600}\n"
	"tr.published td{color:#444}\n"
	".badge{font-size:11px;color:#57606a;border:1px solid #d0d7de;border-radius:3px;padding:0 3px;"
	"margin-left:6px;font-weight:400}\n"
	"td.partial{color:#9a6700}\n"
	"td.regressed{color:#b42318;font-weight:600}td.improved{color:#1a7f37}\n"
	"svg{display:block;margin:8px 0}svg text{font-size:12px;font-family:inherit;fill:#1f2328}\n"
	".legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}\n"
	"#errors{color:#b42318;border:1px solid #b42318;padding:4px}#errors:empty{display:none}\n";

/* Registered first, so that any later script error lands in #errors. */
static const char page_error_hook[] =
	"<div id=\"errors\"></div>\n"
	"<script>window.addEventListener('error',function(e){var d=document.getElementById('errors');"
	"d.appendChild(document.createTextNode('script error: '+e.message+' '));});</script>\n";

/* Click a header to sort by its column: numbers (data-v) high to low first, names A to Z.
 * A link ending in #sort=N opens the page with the first table sorted by column N. */
static const char page_sort_script[] =
	"<script>\n"
	"(function(){\n"
	"function key(td){var v=td.getAttribute('data-v');if(v!==null)return v===''?-Infinity:parseFloat(v);"
	"return td.textContent.toLowerCase();}\n"
	"var tables=document.querySelectorAll('table.sortable');\n"
	"for(var t=0;t<tables.length;t++)(function(tab){\n"
	" var ths=tab.tHead.rows[0].cells;\n"
	" for(var i=0;i<ths.length;i++)(function(th,col){\n"
	"  th.addEventListener('click',function(){\n"
	"   var numeric=tab.tBodies[0].rows.length&&tab.tBodies[0].rows[0].cells[col].hasAttribute('data-v');\n"
	"   var dir=th.classList.contains('desc')?1:th.classList.contains('asc')?-1:(numeric?-1:1);\n"
	"   for(var h=0;h<ths.length;h++){ths[h].classList.remove('asc');ths[h].classList.remove('desc');}\n"
	"   th.classList.add(dir<0?'desc':'asc');\n"
	"   var rows=Array.prototype.slice.call(tab.tBodies[0].rows);\n"
	"   rows.sort(function(a,b){var x=key(a.cells[col]),y=key(b.cells[col]);return (x<y?-1:x>y?1:0)*dir;});\n"
	"   for(var r=0;r<rows.length;r++)tab.tBodies[0].appendChild(rows[r]);\n"
	"  });\n"
	" })(ths[i],i);\n"
	"})(tables[t]);\n"
	"var m=/^#sort=(\\d+)$/.exec(location.hash),first=document.querySelector('table.sortable');\n"
	"if(m&&first&&first.tHead.rows[0].cells[+m[1]])first.tHead.rows[0].cells[+m[1]].click();\n"
	"document.body.setAttribute('data-ready','1');\n"
	"})();\n"
	"</script>\n";

static void page_head(struct ce_buf *b, const char *title)
{
	ce_buf_printf(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	rb_html(b, title);
	ce_buf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n%s", page_style, page_error_hook);
}

static void page_tail(struct ce_buf *b)
{
	ce_buf_printf(b, "%s<p class=\"note\">Written by ceval. Self-contained: no scripts or styles are loaded from "
		     "elsewhere.</p>\n</body>\n</html>\n",
		  page_sort_script);
}

/* A numeric table cell with its sort key. */
static void td_num(struct ce_buf *b, double v, int partial)
{
	if (isnan(v))
		ce_buf_printf(b, "<td data-v=\"\">-</td>");
	else
		ce_buf_printf(b, "<td data-v=\"%.4f\"%s>%.2f%s</td>", v, partial ? " class=\"partial\"" : "", v,
			  partial ? "*" : "");
}

static void td_model(struct ce_buf *b, const struct lb_model *m)
{
	ce_buf_printf(b, "<td>");
	rb_html(b, m->name);
	if (m->published)
		ce_buf_printf(b, "<span class=\"badge\">published</span>");
	ce_buf_printf(b, "</td>");
}

static const char *row_class(const struct lb_model *m)
{
	return m->published ? "published" : "own";
}

/* ------------------------------------------------------------ leaderboard HTML */

#define CHART_W 820
#define CHART_LABEL 300 /* px for the model names */
#define CHART_BAR 440   /* px for the longest bar */
#define CHART_ROW 20

struct bar {
	const struct lb_model *m;
	double v;
};

static int cmp_bar(const void *pa, const void *pb)
{
	const struct bar *a = pa, *b = pb;
	if (a->v != b->v)
		return a->v > b->v ? -1 : 1;
	return strcmp(a->m->name, b->m->name);
}

/* One horizontal bar chart of the models' averages of type ty. */
static void type_chart(struct ce_buf *b, const struct leaderboard *lb, enum task_type ty, struct bar *bars)
{
	int n = 0;
	double vmax = 0;
	for (int32_t j = 0; j < lb->n_models; j++) {
		const struct lb_model *m = &lb->models[j];
		if (isnan(m->type_avg[ty]))
			continue;
		bars[n].m = m;
		bars[n].v = m->type_avg[ty];
		if (bars[n].v > vmax)
			vmax = bars[n].v;
		n++;
	}
	qsort(bars, (size_t)n, sizeof *bars, cmp_bar);
	double scale_max = ceil(vmax / 10.0) * 10.0;
	if (scale_max <= 0)
		scale_max = 10;
	int h = 28 + n * CHART_ROW + 8;
	const char *title = leaderboard_type_title(ty);
	ce_buf_printf(b,
		  "<svg class=\"chart\" data-type=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		  "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s: average per model\">\n",
		  title, CHART_W, h, CHART_W, h, title);
	int n_grid = (int)(scale_max / 10.0 + 0.5); /* a line every 10 points */
	for (int g = 0; g <= n_grid; g++) {
		double x = CHART_LABEL + CHART_BAR * g / (double)n_grid;
		ce_buf_printf(b,
			  "<line x1=\"%.1f\" y1=\"18\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e1e4e8\"/>"
			  "<text x=\"%.1f\" y=\"12\" text-anchor=\"middle\" fill=\"#57606a\">%g</text>\n",
			  x, x, h - 6, x, 10.0 * g);
	}
	for (int i = 0; i < n; i++) {
		const struct lb_model *m = bars[i].m;
		double w = CHART_BAR * (bars[i].v < 0 ? 0 : bars[i].v) / scale_max;
		int y = 24 + i * CHART_ROW;
		int partial = m->type_present[ty] < lb->type_total[ty];
		ce_buf_printf(b, "<g class=\"bar %s\"><title>", row_class(m));
		rb_html(b, m->name);
		ce_buf_printf(b, ": %.2f%s</title>", bars[i].v, partial ? " (incomplete)" : "");
		ce_buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\"%s>", CHART_LABEL - 8, y + 13,
			  m->published ? "" : " font-weight=\"700\"");
		rb_html(b, m->name);
		ce_buf_printf(b,
			  "</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
			  "<text x=\"%.1f\" y=\"%d\">%.2f%s</text></g>\n",
			  CHART_LABEL, y + 2, w, CHART_ROW - 5, m->published ? "#9fb3c8" : "#e09b00",
			  CHART_LABEL + w + 4, y + 13, bars[i].v, partial ? "*" : "");
	}
	ce_buf_printf(b, "</svg>\n");
}

enum ce_status report_leaderboard_html(const struct leaderboard *lb, char **out, size_t *len, struct ce_err *err)
{
	const struct suite *su = lb->suite;
	struct ce_buf b = {0};
	char title[256];
	snprintf(title, sizeof title, "Leaderboard: %s (%d tasks)", su->name, (int)su->n_tasks);
	page_head(&b, title);
	ce_buf_printf(&b, "<h1>");
	rb_html(&b, title);
	ce_buf_printf(&b, "</h1>\n<p class=\"note\">Scores are each task's main score &times; 100, rounded to 2 decimals. "
		      "Avg is the mean over all %d tasks of the suite; a type column is the mean over that type's "
		      "tasks. A value marked * is the mean over only the tasks the model has and is not comparable "
		      "with complete rows. Rows marked <span class=\"badge\">published</span> are published results "
		      "(ceval's published/ folder or MTEB results files); the others, highlighted, are yours. Click a "
		      "column header to sort.</p>\n",
		  (int)su->n_tasks);
	ce_buf_printf(&b, "<p class=\"legend\"><span style=\"background:#e09b00\"></span>your results"
		      "<span style=\"background:#9fb3c8\"></span>published</p>\n");
	/* summary */
	ce_buf_printf(&b, "<table class=\"sortable\" id=\"summary\">\n<thead><tr><th>Model</th><th>Embedding dimension</th>"
		      "<th>Avg</th>");
	for (int i = 0; i < TASK_TYPE_COUNT; i++)
		if (leaderboard_type_shown(lb, leaderboard_type_order[i]))
			ce_buf_printf(&b, "<th>%s</th>", leaderboard_type_title(leaderboard_type_order[i]));
	ce_buf_printf(&b, "</tr></thead>\n<tbody>\n");
	for (int32_t j = 0; j < lb->n_models; j++) {
		const struct lb_model *m = &lb->models[j];
		int complete = lb_model_complete(lb, m);
		ce_buf_printf(&b, "<tr class=\"%s\">", row_class(m));
		td_model(&b, m);
		if (m->dim > 0)
			ce_buf_printf(&b, "<td data-v=\"%d\">%d</td>", (int)m->dim, (int)m->dim);
		else
			ce_buf_printf(&b, "<td data-v=\"\">%s</td>", m->dim < 0 ? "mixed" : "-");
		td_num(&b, m->avg, !complete);
		for (int i = 0; i < TASK_TYPE_COUNT; i++) {
			enum task_type ty = leaderboard_type_order[i];
			if (leaderboard_type_shown(lb, ty))
				td_num(&b, m->type_avg[ty], m->type_present[ty] < lb->type_total[ty]);
		}
		ce_buf_printf(&b, "</tr>\n");
	}
	ce_buf_printf(&b, "</tbody>\n</table>\n");
	if (lb->n_models == 0)
		ce_buf_printf(&b, "<p>(no results of this suite's tasks were found)</p>\n");
	/* per type: chart and table */
	struct bar *bars = lb->n_models ? ce_calloc((size_t)lb->n_models, sizeof *bars) : NULL;
	if (lb->n_models && !bars)
		b.oom = 1;
	for (int i = 0; i < TASK_TYPE_COUNT && !b.oom; i++) {
		enum task_type ty = leaderboard_type_order[i];
		if (lb->type_total[ty] == 0)
			continue;
		ce_buf_printf(&b, "<h2>%s</h2>\n", leaderboard_type_title(ty));
		type_chart(&b, lb, ty, bars);
		ce_buf_printf(&b, "<table class=\"sortable type\" data-type=\"%s\">\n<thead><tr><th>Model</th>",
			  leaderboard_type_title(ty));
		for (int32_t k = 0; k < su->n_tasks; k++)
			if (su->tasks[k]->type == ty) {
				ce_buf_printf(&b, "<th>");
				rb_html(&b, su->tasks[k]->name);
				ce_buf_printf(&b, "</th>");
			}
		ce_buf_printf(&b, "<th>Avg</th></tr></thead>\n<tbody>\n");
		for (int32_t j = 0; j < lb->n_models; j++) {
			const struct lb_model *m = &lb->models[j];
			ce_buf_printf(&b, "<tr class=\"%s\">", row_class(m));
			td_model(&b, m);
			for (int32_t k = 0; k < su->n_tasks; k++)
				if (su->tasks[k]->type == ty)
					td_num(&b, m->score[k], 0);
			td_num(&b, m->type_avg[ty], m->type_present[ty] < lb->type_total[ty]);
			ce_buf_printf(&b, "</tr>\n");
		}
		ce_buf_printf(&b, "</tbody>\n</table>\n");
	}
	ce_free(bars);
	page_tail(&b);
	return ce_buf_finish(&b, "the report", out, len, err);
}

/* ------------------------------------------------------------ check CSV / HTML */

enum ce_status report_check_csv(const struct check_report *r, char **out, size_t *len, struct ce_err *err)
{
	struct ce_buf b = {0};
	ce_buf_printf(&b, "task,type,baseline,new,delta,tolerance,verdict\r\n");
	for (int32_t i = 0; i < r->n; i++) {
		const struct check_row *w = &r->rows[i];
		rb_csv(&b, w->task);
		ce_buf_printf(&b, ",%s,", w->has_type ? task_type_name(w->type) : "");
		rb_csv_num(&b, w->baseline);
		ce_buf_printf(&b, ",");
		rb_csv_num(&b, w->current);
		ce_buf_printf(&b, ",");
		rb_csv_num(&b, w->delta);
		ce_buf_printf(&b, ",%.2f,", w->tolerance);
		rb_csv(&b, check_verdict_name(w->verdict));
		ce_buf_printf(&b, "\r\n");
	}
	return ce_buf_finish(&b, "the report", out, len, err);
}

static const char *verdict_class(enum check_verdict v)
{
	switch (v) {
	case CHECK_REGRESSED:
		return "regressed";
	case CHECK_IMPROVED:
		return "improved";
	case CHECK_OK:
		return "ok";
	default:
		return "missing";
	}
}

static const char *verdict_color(enum check_verdict v)
{
	switch (v) {
	case CHECK_REGRESSED:
		return "#d1242f";
	case CHECK_IMPROVED:
		return "#1f883d";
	default:
		return "#8c959f";
	}
}

#define DIV_W 860
#define DIV_LABEL 260
#define DIV_HALF 240 /* px from the zero line to either end */

enum ce_status report_check_html(const struct check_report *r, const char *title, char **out, size_t *len,
				 struct ce_err *err)
{
	struct ce_buf b = {0};
	page_head(&b, title);
	ce_buf_printf(&b, "<h1>");
	rb_html(&b, title);
	ce_buf_printf(&b, "</h1>\n<p class=\"note\">%d task(s): %d ok, %d improved, %d regressed, %d missing, %d data "
		      "mismatch. Each bar is new &minus; baseline in points of the &times;100 scale; the shaded band "
		      "is the task's tolerance. A drop past the band is a regression.</p>\n",
		  (int)r->n, (int)r->n_ok, (int)r->n_improved, (int)r->n_regressed, (int)r->n_missing,
		  (int)r->n_mismatch);
	ce_buf_printf(&b, "<p class=\"legend\"><span style=\"background:#d1242f\"></span>regressed"
		      "<span style=\"background:#1f883d\"></span>improved<span style=\"background:#8c959f\"></span>"
		      "within tolerance<span style=\"background:#dafbe1\"></span>tolerance band</p>\n");
	/* scale: the largest |delta| or tolerance, at least 1 point */
	double span = 1.0;
	int n_bars = 0;
	for (int32_t i = 0; i < r->n; i++) {
		const struct check_row *w = &r->rows[i];
		if (isnan(w->delta))
			continue;
		n_bars++;
		if (fabs(w->delta) > span)
			span = fabs(w->delta);
		if (w->tolerance > span)
			span = w->tolerance;
	}
	static const double nice[] = {1, 2, 2.5, 5, 10, 20, 25, 50, 100};
	for (size_t i = 0; i < sizeof nice / sizeof nice[0]; i++)
		if (nice[i] >= span * 1.05) {
			span = nice[i];
			break;
		}
	int h = 30 + n_bars * CHART_ROW + 8;
	double x0 = DIV_LABEL + DIV_HALF;
	ce_buf_printf(&b,
		  "<svg class=\"chart deltas\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		  "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"delta per task with tolerance band\">\n",
		  DIV_W, h, DIV_W, h);
	for (int g = -2; g <= 2; g++) {
		double x = x0 + DIV_HALF * g / 2.0;
		ce_buf_printf(&b,
			  "<line x1=\"%.1f\" y1=\"20\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>"
			  "<text x=\"%.1f\" y=\"13\" text-anchor=\"middle\" fill=\"#57606a\">%+g</text>\n",
			  x, x, h - 6, g == 0 ? "#57606a" : "#e1e4e8", x, span * g / 2.0);
	}
	int row = 0;
	for (int32_t i = 0; i < r->n; i++) {
		const struct check_row *w = &r->rows[i];
		if (isnan(w->delta))
			continue;
		int y = 26 + row++ * CHART_ROW;
		double tol = w->tolerance * DIV_HALF / span;
		double d = w->delta * DIV_HALF / span;
		ce_buf_printf(&b, "<g class=\"bar %s\"><title>", verdict_class(w->verdict));
		rb_html(&b, w->task);
		ce_buf_printf(&b, ": %+.2f (tolerance %.2f, %s)</title>", w->delta, w->tolerance,
			  check_verdict_name(w->verdict));
		ce_buf_printf(&b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#dafbe1\"/>", x0 - tol, y,
			  2 * tol, CHART_ROW);
		ce_buf_printf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", DIV_LABEL - 8, y + 14);
		rb_html(&b, w->task);
		ce_buf_printf(&b, "</text><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
			  d < 0 ? x0 + d : x0, y + 4, fabs(d) < 0.5 ? 0.5 : fabs(d), CHART_ROW - 8,
			  verdict_color(w->verdict));
		ce_buf_printf(&b, "<text x=\"%.1f\" y=\"%d\"%s>%+.2f</text></g>\n", d < 0 ? x0 + 6 : x0 - 6, y + 14,
			  d < 0 ? "" : " text-anchor=\"end\"", w->delta);
	}
	ce_buf_printf(&b, "</svg>\n");
	ce_buf_printf(&b, "<table class=\"sortable\" id=\"deltas\">\n<thead><tr><th>Task</th><th>Type</th><th>Baseline</th>"
		      "<th>New</th><th>Delta</th><th>Tolerance</th><th>Verdict</th></tr></thead>\n<tbody>\n");
	for (int32_t i = 0; i < r->n; i++) {
		const struct check_row *w = &r->rows[i];
		ce_buf_printf(&b, "<tr class=\"%s\"><td>", verdict_class(w->verdict));
		rb_html(&b, w->task);
		ce_buf_printf(&b, "</td><td>%s</td>", w->has_type ? task_type_name(w->type) : "?");
		td_num(&b, w->baseline, 0);
		td_num(&b, w->current, 0);
		if (isnan(w->delta))
			ce_buf_printf(&b, "<td data-v=\"\">-</td>");
		else
			ce_buf_printf(&b, "<td data-v=\"%.4f\">%+.2f</td>", w->delta, w->delta);
		ce_buf_printf(&b, "<td data-v=\"%.2f\">%.2f</td><td class=\"%s\">%s</td></tr>\n", w->tolerance, w->tolerance,
			  verdict_class(w->verdict), check_verdict_name(w->verdict));
	}
	ce_buf_printf(&b, "</tbody>\n</table>\n");
	page_tail(&b);
	return ce_buf_finish(&b, "the report", out, len, err);
}
