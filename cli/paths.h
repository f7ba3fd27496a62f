/*
 * paths.h - where task definitions and datasets are looked for, shared by
 * the commands (`ceval run`, `ceval list`, `ceval leaderboard`, `ceval check`)
 * so that they all agree.
 */
#ifndef PATHS_H
#define PATHS_H

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

#endif
