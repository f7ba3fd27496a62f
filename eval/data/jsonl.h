/*
 * jsonl.h - the JSON side of the record interface, for other JSON readers:
 * the kind of a jansson value as a record_kind, so every "expected X, found
 * <kind>" message in ceval words JSON kinds the same way (record_kind_name).
 */
#ifndef JSONL_H
#define JSONL_H

#include <jansson.h>

#include "record.h"

/* RECORD_MISSING for NULL. */
enum record_kind jsonl_kind(const json_t *v);

#endif
