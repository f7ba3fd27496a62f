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

/* <base>/<rel> if it has a suites/ folder, as a new string; else NULL. */
static char *tasks_candidate(const char *base, const char *rel)
{
	char *p = fs_join(base, rel);
	char *s = p ? fs_join(p, "suites") : NULL;
	int ok = s && fs_is_dir(s);
	ce_free(s);
	if (ok)
		return p;
	ce_free(p);
	return NULL;
}

char *paths_tasks_dir(const char *opt)
{
	if (opt)
		return ce_strdup(opt);
	const char *e = getenv("CEVAL_TASKS");
	if (e && *e)
		return ce_strdup(e);
	if (fs_is_dir("tasks/suites"))
		return ce_strdup("tasks");
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			static const char *const rel[] = {"../share/ceval/tasks", "../../tasks"};
			for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
				char *p = tasks_candidate(exe, rel[i]);
				if (p)
					return p;
			}
		}
	}
	return ce_strdup("tasks");
}

const char *paths_data_dir(const char *opt)
{
	if (opt)
		return opt;
	const char *e = getenv("CEVAL_DATA");
	return e && *e ? e : "datasets";
}

/* <base>/<rel> if it has a results/ folder, as a new string; else NULL. */
static char *published_candidate(const char *base, const char *rel)
{
	char *p = fs_join(base, rel);
	char *s = p ? fs_join(p, "results") : NULL;
	int ok = s && fs_is_dir(s);
	ce_free(s);
	if (ok)
		return p;
	ce_free(p);
	return NULL;
}

char *paths_published_dir(const char *opt)
{
	if (opt)
		return ce_strdup(opt);
	const char *e = getenv("CEVAL_PUBLISHED");
	if (e && *e)
		return ce_strdup(e);
	if (fs_is_dir("published/results"))
		return ce_strdup("published");
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			static const char *const rel[] = {"../share/ceval/published", "../../published"};
			for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
				char *p = published_candidate(exe, rel[i]);
				if (p)
					return p;
			}
		}
	}
	return ce_strdup("published");
}

/* The one sub-folder of dir (not starting with '.'), as a new path; NULL if none or several. */
static char *only_subdir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char *found = NULL;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *p = fs_join(dir, de->d_name);
		if (p && fs_is_dir(p) && n++ == 0) {
			found = p;
			continue;
		}
		ce_free(p);
	}
	closedir(d);
	if (n != 1) {
		ce_free(found);
		return NULL;
	}
	return found;
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
	else if (!(out = only_subdir(match)))
		ce_err_set(err, CE_E_FORMAT, "%s: expected one revision folder", match);
	ce_free(match);
	ce_free(root);
	return out;
}
