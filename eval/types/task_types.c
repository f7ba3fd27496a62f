/*
 * task_types.c - the task-type table (task_types.h): one line per type, in
 * enum order.
 */
#include "task_types.h"

const struct task_type_desc *const task_types[] = {
	&task_type_retrieval,
	&task_type_reranking,
	&task_type_sts,
	&task_type_pair_classification,
	&task_type_classification,
	&task_type_clustering,
	&task_type_summarization,
};
_Static_assert(sizeof task_types / sizeof task_types[0] == TASK_TYPE_COUNT, "one task_types entry per task type");

const struct task_type_desc *task_type_desc(enum task_type t)
{
	if ((int)t < 0 || t >= TASK_TYPE_COUNT)
		return NULL;
	return task_types[t];
}
