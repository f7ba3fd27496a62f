/*
 * paths.h - where task definitions and datasets are looked for, shared by
 * the commands (`ceval run`, `ceval list`, `ceval leaderboard`, `ceval check`)
 * so that they all agree.
 */
#ifndef PATHS_H
#define PATHS_H

#include "ce_status.h"

/*
 * Tasks folder: opt if non-NULL, else $CEVAL_TASKS, else ./tasks when it has
 * a suites/ folder, else next to the binary (<prefix>/share/ceval/tasks for
 * an installed ceval, ../../tasks for build/<cfg>/ceval in a checkout), else
 * "tasks".  New string (ce_free); NULL only when out of memory.
 */
char *paths_tasks_dir(const char *opt);

/* Data root: opt if non-NULL, else $CEVAL_DATA when set and non-empty, else
 * "datasets".  Static or borrowed string. */
const char *paths_data_dir(const char *opt);

/*
 * Published results folder (published/README.md): opt if non-NULL, else
 * $CEVAL_PUBLISHED, else ./published when it has a results/ folder, else next
 * to the binary (<prefix>/share/ceval/published, ../../published), else
 * "published".  New string (ce_free); NULL only when out of memory.
 */
char *paths_published_dir(const char *opt);

/*
 * The folder of one published model: name is "bge-base-zh-v1.5",
 * "BAAI/bge-base-zh-v1.5" or "BAAI__bge-base-zh-v1.5"; the folder is
 * <published>/results/<org>__<model>/<its one revision folder>.  New string
 * (ce_free), or NULL with err set: CE_E_NOT_FOUND (no such model: the message
 * lists the names), CE_E_FORMAT (a short name matching two orgs), CE_E_NOMEM.
 */
char *paths_published_model(const char *published_dir, const char *name, struct ce_err *err);

#endif
