/*
 * model_arch.c - the architecture table (see model_arch.h).
 */
#include "model_arch.h"

#include <stdio.h>
#include <string.h>

/* One line per architecture; the first is the default. */
static const struct model_arch *const arch_table[] = {
	&model_arch_bert,
};

#define ARCH_COUNT (sizeof arch_table / sizeof arch_table[0])

const struct model_arch *model_arch_find(const char *model_type)
{
	for (size_t i = 0; i < ARCH_COUNT; i++)
		for (const char *const *t = arch_table[i]->model_types; *t; t++)
			if (strcmp(*t, model_type) == 0)
				return arch_table[i];
	return NULL;
}

const struct model_arch *model_arch_default(void) { return arch_table[0]; }

void model_arch_list_types(char *buf, size_t cap)
{
	size_t n = 0, o = 0;
	for (size_t i = 0; i < ARCH_COUNT; i++)
		for (const char *const *t = arch_table[i]->model_types; *t; t++)
			n++;
	size_t k = 0;
	if (cap)
		buf[0] = '\0';
	for (size_t i = 0; i < ARCH_COUNT; i++)
		for (const char *const *t = arch_table[i]->model_types; *t; t++, k++) {
			const char *sep = k == 0 ? "" : k + 1 == n ? " and " : ", ";
			int w = snprintf(buf + o, o < cap ? cap - o : 0, "%s\"%s\"", sep, *t);
			if (w > 0)
				o += (size_t)w;
		}
}
