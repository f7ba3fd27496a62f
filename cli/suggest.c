/*
 * suggest.c - "did you mean" for suite and task names, with the same
 * closest-match rule as commands and options (cli_closest).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce_alloc.h"
#include "cli.h"
#include "fs_util.h"

#define SUGGEST_MAX_NAMES 1024

struct names {
	char *v[SUGGEST_MAX_NAMES];
	int n;
};

/* Collect the basenames (without ".yaml") of the YAML files in dir; below it too when depth > 0 (suites/ skipped). */
static void collect_yaml(const char *dir, int depth, struct names *out)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL && out->n < SUGGEST_MAX_NAMES) {
		const char *nm = de->d_name;
		size_t l = strlen(nm);
		if (nm[0] == '.')
			continue;
		char *p = fs_join(dir, nm);
		if (!p)
			break;
		if (l > 5 && strcmp(nm + l - 5, ".yaml") == 0 && fs_is_file(p)) {
			char *s = ce_strndup(nm, l - 5);
			if (s)
				out->v[out->n++] = s;
		} else if (depth > 0 && strcmp(nm, "suites") != 0 && fs_is_dir(p)) {
			collect_yaml(p, depth - 1, out);
		}
		ce_free(p);
	}
	closedir(d);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(struct names *ns)
{
	for (int i = 0; i < ns->n; i++)
		ce_free(ns->v[i]);
	ns->n = 0;
}

/* ", did you mean 'X'?" or "" into buf. */
static void closest_hint(const char *name, const char *const *cands, int n, char *buf, size_t cap)
{
	const char *best = cli_closest(name, cands, n);
	if (best && strcmp(best, name) != 0)
		snprintf(buf, cap, "; did you mean '%s'?", best);
	else
		buf[0] = '\0';
}

void cli_suggest_suite(const char *tasks_dir, const char *name, struct ce_err *err)
{
	size_t l = strlen(name);
	if (err->code != CE_E_NOT_FOUND || strchr(name, '/') || (l > 5 && strcmp(name + l - 5, ".yaml") == 0))
		return; /* a path the user typed: the open error already names it */
	char *sdir = fs_join(tasks_dir, "suites");
	if (!sdir)
		return;
	size_t n = strlen(sdir) + l + 8;
	char *file = ce_malloc(n);
	if (file) {
		snprintf(file, n, "%s/%s.yaml", sdir, name);
		if (!fs_is_file(file)) { /* the suite itself, not a task it names, is missing */
			struct names ns = {.n = 0};
			collect_yaml(sdir, 0, &ns);
			qsort(ns.v, (size_t)ns.n, sizeof *ns.v, cmp_name);
			char hint[300], known[600] = "";
			closest_hint(name, (const char *const *)ns.v, ns.n, hint, sizeof hint);
			size_t o = 0;
			for (int i = 0; i < ns.n && o < sizeof known; i++)
				o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", i ? ", " : "", ns.v[i]);
			ce_err_set(err, CE_E_NOT_FOUND, "no suite '%s' in %s%s%s%s%s", name, sdir, hint,
				   ns.n ? " (suites: " : "", known, ns.n ? ")" : "");
			names_free(&ns);
		}
	}
	ce_free(file);
	ce_free(sdir);
}

void cli_suggest_task(const char *tasks_dir, const char *name, struct ce_err *err)
{
	if (err->code != CE_E_NOT_FOUND)
		return;
	struct names ns = {.n = 0};
	collect_yaml(tasks_dir, 8, &ns);
	char hint[300];
	closest_hint(name, (const char *const *)ns.v, ns.n, hint, sizeof hint);
	names_free(&ns);
	if (hint[0] && strlen(err->msg) + strlen(hint) < sizeof err->msg)
		strcat(err->msg, hint);
}

const char *cli_suggest_among(const char *name, const char *const *names, int n, char *buf, size_t cap)
{
	closest_hint(name, names, n, buf, cap);
	return buf;
}
