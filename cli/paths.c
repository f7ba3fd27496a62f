/* paths.c - default tasks and data folders (see paths.h). */
#include "paths.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ce_alloc.h"
#include "fs_util.h"

/* <base>/<rel> if it has a <marker> sub-folder, as a new string; else NULL. */
static char *candidate(const char *base, const char *rel, const char *marker)
{
	char *p = fs_join(base, rel);
	char *s = p ? fs_join(p, marker) : NULL;
	int ok = s && fs_is_dir(s);
	ce_free(s);
	if (ok)
		return p;
	ce_free(p);
	return NULL;
}

/* A folder of shipped data (tasks/, published/): the option, else $env, else ./<name> when it
 * has <marker>/, else <exe dir>/../share/ceval/<name> or <exe dir>/../../<name> (an installed
 * or an in-tree binary), else "<name>". */
static char *shipped_dir(const char *opt, const char *env, const char *name, const char *marker)
{
	if (opt)
		return ce_strdup(opt);
	const char *e = getenv(env);
	if (e && *e)
		return ce_strdup(e);
	char *here = candidate(".", name, marker);
	if (here) {
		ce_free(here);
		return ce_strdup(name);
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
	if (slash) {
		*slash = '\0';
		char rel[2][64];
		snprintf(rel[0], sizeof rel[0], "../share/ceval/%s", name);
		snprintf(rel[1], sizeof rel[1], "../../%s", name);
		for (int i = 0; i < 2; i++) {
			char *p = candidate(exe, rel[i], marker);
			if (p)
				return p;
		}
	}
	return ce_strdup(name);
}

char *paths_tasks_dir(const char *opt)
{
	return shipped_dir(opt, "CEVAL_TASKS", "tasks", "suites");
}

const char *paths_data_dir(const char *opt)
{
	if (opt)
		return opt;
	const char *e = getenv("CEVAL_DATA");
	return e && *e ? e : "datasets";
}

char *paths_published_dir(const char *opt)
{
	return shipped_dir(opt, "CEVAL_PUBLISHED", "published", "results");
}

char *paths_published_model(const char *published_dir, const char *name, struct ce_err *err)
{
	char *root = fs_join(published_dir, "results");
	DIR *d = root ? opendir(root) : NULL;
	if (!d) {
		ce_err_set(err, root ? CE_E_NOT_FOUND : CE_E_NOMEM, "%s: no published results here (set CEVAL_PUBLISHED)",
			   root ? root : published_dir);
		ce_free(root);
		return NULL;
	}
	char want[512];
	snprintf(want, sizeof want, "%s", name);
	char *slash = strchr(want, '/');
	if (slash) { /* org/model -> org__model */
		memmove(slash + 2, slash + 1, strlen(slash + 1) + 1);
		slash[0] = slash[1] = '_';
	}
	char *match = NULL, names[2048] = "";
	int n_match = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		const char *us = strstr(de->d_name, "__");
		const char *short_name = us ? us + 2 : de->d_name;
		size_t used = strlen(names);
		snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", short_name);
		if (strcmp(de->d_name, want) == 0 || strcmp(short_name, want) == 0) {
			n_match++;
			ce_free(match);
			match = fs_join(root, de->d_name);
		}
	}
	closedir(d);
	char *out = NULL;
	if (n_match > 1)
		ce_err_set(err, CE_E_FORMAT, "published:%s matches several models; give it as org/model", name);
	else if (!match)
		ce_err_set(err, CE_E_NOT_FOUND, "published:%s: no such published model under %s (%s)", name, root, names);
	else if (!(out = fs_only_subdir(match)))
		ce_err_set(err, CE_E_FORMAT, "%s: expected one revision folder", match);
	ce_free(match);
	ce_free(root);
	return out;
}
