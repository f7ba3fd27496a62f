/* paths.c - default tasks and data folders (see paths.h). */
#include "paths.h"

#include <limits.h>
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
