/*
 * hub_layout.c - configs and splits of a Hugging Face dataset snapshot, from
 * README.md's `configs:` front matter or from the file-name convention.
 */
#include "hub_layout.h"

#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "ce_alloc.h"
#include "fs_util.h"

#define HUB_MAX_ENTRIES 100000
#define HUB_MAX_DEPTH 16
#define HUB_CARD_MAX (4u << 20)

/* ---- the folder listing --------------------------------------------------- */

struct name_list {
	char **v;
	int32_t n, cap;
};

static enum ce_status names_push(struct name_list *l, char *s, struct ce_err *err)
{
	if (!s)
		return ce_err_set(err, CE_E_NOMEM, "out of memory listing a dataset folder");
	if (l->n == l->cap) {
		int32_t cap = l->cap ? l->cap * 2 : 64;
		char **v = ce_realloc(l->v, (size_t)cap * sizeof *v);
		if (!v) {
			ce_free(s);
			return ce_err_set(err, CE_E_NOMEM, "out of memory listing a dataset folder");
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return CE_OK;
}

static void names_free(struct name_list *l)
{
	for (int32_t i = 0; i < l->n; i++)
		ce_free(l->v[i]);
	ce_free(l->v);
	memset(l, 0, sizeof *l);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort paths by name; an empty list may be NULL, which qsort must not be given. */
static void sort_names(char **v, int32_t n)
{
	if (n > 1)
		qsort(v, (size_t)n, sizeof *v, cmp_str);
}

/* Regular files under root/rel (following symlinks), as paths relative to
 * root; names starting with '.' are skipped (.gitattributes, .cache). */
static enum ce_status list_files(const char *root, const char *rel, int depth, struct name_list *out, int32_t *seen,
				 struct ce_err *err)
{
	if (depth > HUB_MAX_DEPTH)
		return ce_err_set(err, CE_E_LIMIT, "%s/%s: folders nested deeper than %d", root, rel, HUB_MAX_DEPTH);
	char *dir = *rel ? fs_join(root, rel) : ce_strdup(root);
	if (!dir)
		return ce_err_set(err, CE_E_NOMEM, "out of memory listing %s", root);
	DIR *d = opendir(dir);
	if (!d) {
		enum ce_status st = ce_err_set(err, depth == 0 ? CE_E_NOT_FOUND : CE_E_IO, "%s: cannot list the folder",
					       dir);
		ce_free(dir);
		return st;
	}
	enum ce_status st = CE_OK;
	struct dirent *e;
	while (st == CE_OK && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (++*seen > HUB_MAX_ENTRIES) {
			st = ce_err_set(err, CE_E_LIMIT, "%s: more than %d files and folders", root, HUB_MAX_ENTRIES);
			break;
		}
		size_t n = strlen(rel) + strlen(e->d_name) + 2;
		char *child = ce_malloc(n);
		if (!child) {
			st = ce_err_set(err, CE_E_NOMEM, "out of memory listing %s", dir);
			break;
		}
		snprintf(child, n, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		char *full = fs_join(root, child);
		struct stat sb;
		int ok = full && stat(full, &sb) == 0; /* follows the snapshot's symlinks into blobs/ */
		ce_free(full);
		if (ok && S_ISDIR(sb.st_mode)) {
			st = list_files(root, child, depth + 1, out, seen, err);
			ce_free(child);
		} else if (ok && S_ISREG(sb.st_mode)) {
			st = names_push(out, child, err);
		} else {
			ce_free(child); /* dangling link or special file: not data */
		}
	}
	closedir(d);
	ce_free(dir);
	return st;
}

/* ---- splits --------------------------------------------------------------- */

static struct hub_split *add_split(struct hub_layout *l, const char *config, const char *split, struct ce_err *err)
{
	for (int32_t i = 0; i < l->n_splits; i++)
		if (strcmp(l->splits[i].config, config) == 0 && strcmp(l->splits[i].split, split) == 0)
			return &l->splits[i];
	struct hub_split *v = ce_realloc(l->splits, (size_t)(l->n_splits + 1) * sizeof *v);
	if (!v) {
		ce_err_set(err, CE_E_NOMEM, "out of memory reading %s", l->dir);
		return NULL;
	}
	l->splits = v;
	struct hub_split *s = &v[l->n_splits];
	memset(s, 0, sizeof *s);
	s->config = ce_strdup(config);
	s->split = ce_strdup(split);
	l->n_splits++;
	if (!s->config || !s->split) {
		ce_err_set(err, CE_E_NOMEM, "out of memory reading %s", l->dir);
		return NULL;
	}
	return s;
}

static enum ce_status split_add_file(struct hub_layout *l, struct hub_split *s, const char *rel, struct ce_err *err)
{
	for (int32_t i = 0; i < s->n_files; i++) /* two globs may match one file */
		if (strcmp(s->files[i] + strlen(l->dir) + 1, rel) == 0)
			return CE_OK;
	char **v = ce_realloc(s->files, (size_t)(s->n_files + 1) * sizeof *v);
	if (!v)
		return ce_err_set(err, CE_E_NOMEM, "out of memory reading %s", l->dir);
	s->files = v;
	if (!(s->files[s->n_files] = fs_join(l->dir, rel)))
		return ce_err_set(err, CE_E_NOMEM, "out of memory reading %s", l->dir);
	s->n_files++;
	return CE_OK;
}

/* Every listed file that a glob of the card matches ("**" crosses folders). */
static enum ce_status add_glob(struct hub_layout *l, const struct name_list *files, const char *config,
			       const char *split, const char *glob, struct ce_err *err)
{
	struct hub_split *s = add_split(l, config, split, err);
	if (!s)
		return err->code;
	int flags = strstr(glob, "**") ? 0 : FNM_PATHNAME;
	while (glob[0] == '.' && glob[1] == '/')
		glob += 2;
	for (int32_t i = 0; i < files->n; i++)
		if (fnmatch(glob, files->v[i], flags) == 0)
			CE_TRY(split_add_file(l, s, files->v[i], err));
	return CE_OK;
}

/* data/<split>-00000-of-00001[-hash].parquet, data/<split>.parquet, data/<split>-*.parquet */
static enum ce_status infer_splits(struct hub_layout *l, const struct name_list *files, struct ce_err *err)
{
	for (int32_t i = 0; i < files->n; i++) {
		const char *f = files->v[i];
		size_t n = strlen(f);
		if (strncmp(f, "data/", 5) != 0 || n < 13 || strcmp(f + n - 8, ".parquet") != 0 || strchr(f + 5, '/'))
			continue;
		char split[256];
		size_t len = n - 5 - 8;
		if (len >= sizeof split)
			continue;
		memcpy(split, f + 5, len);
		split[len] = 0;
		char *dash = strchr(split, '-');
		if (dash)
			*dash = 0;
		if (!*split)
			continue;
		struct hub_split *s = add_split(l, "default", split, err);
		if (!s)
			return err->code;
		CE_TRY(split_add_file(l, s, f, err));
	}
	return CE_OK;
}

/* ---- README.md front matter ------------------------------------------------ */

struct card {
	yaml_document_t doc;
	const char *path;
	size_t line0; /* lines before the YAML text, for messages */
};

static enum ce_status card_err(const struct card *c, const yaml_node_t *n, struct ce_err *err, const char *what)
{
	return ce_err_set(err, CE_E_FORMAT, "%s:%zu:%zu: configs: %s", c->path, n->start_mark.line + 1 + c->line0,
			  n->start_mark.column + 1, what);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(struct card *c, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(&c->doc, p->key));
		if (k && strcmp(k, key) == 0)
			return yaml_document_get_node(&c->doc, p->value);
	}
	return NULL;
}

/* path: a glob or a list of globs */
static enum ce_status add_paths(struct hub_layout *l, struct card *c, const struct name_list *files,
				const char *config, const char *split, yaml_node_t *paths, struct ce_err *err)
{
	if (scalar(paths))
		return add_glob(l, files, config, split, scalar(paths), err);
	if (!paths || paths->type != YAML_SEQUENCE_NODE)
		return card_err(c, paths ? paths : yaml_document_get_root_node(&c->doc), err,
				"expected a path glob or a list of globs");
	for (yaml_node_item_t *it = paths->data.sequence.items.start; it < paths->data.sequence.items.top; it++) {
		yaml_node_t *p = yaml_document_get_node(&c->doc, *it);
		if (!scalar(p))
			return card_err(c, p, err, "expected a path glob");
		CE_TRY(add_glob(l, files, config, split, scalar(p), err));
	}
	return CE_OK;
}

static enum ce_status read_configs(struct hub_layout *l, struct card *c, yaml_node_t *configs,
				   const struct name_list *files, struct ce_err *err)
{
	if (configs->type != YAML_SEQUENCE_NODE)
		return card_err(c, configs, err, "expected a list of {config_name, data_files}");
	for (yaml_node_item_t *it = configs->data.sequence.items.start; it < configs->data.sequence.items.top; it++) {
		yaml_node_t *cfg = yaml_document_get_node(&c->doc, *it);
		const char *name = scalar(map_get(c, cfg, "config_name"));
		yaml_node_t *df = map_get(c, cfg, "data_files");
		if (!name || !df)
			return card_err(c, cfg, err, "an entry without config_name or data_files");
		if (scalar(df)) {
			CE_TRY(add_glob(l, files, name, "train", scalar(df), err));
			continue;
		}
		if (df->type != YAML_SEQUENCE_NODE)
			return card_err(c, df, err, "data_files: expected a glob or a list");
		for (yaml_node_item_t *j = df->data.sequence.items.start; j < df->data.sequence.items.top; j++) {
			yaml_node_t *e = yaml_document_get_node(&c->doc, *j);
			if (scalar(e)) {
				CE_TRY(add_glob(l, files, name, "train", scalar(e), err));
				continue;
			}
			const char *split = scalar(map_get(c, e, "split"));
			yaml_node_t *paths = map_get(c, e, "path");
			if (!split || !paths)
				return card_err(c, e, err, "data_files: an entry without split or path");
			CE_TRY(add_paths(l, c, files, name, split, paths, err));
		}
	}
	return CE_OK;
}

/* The YAML between a first line "---" and the next line "---" of the card
 * text (len bytes, NUL-terminated); path names it in messages. */
static enum ce_status parse_card(struct hub_layout *l, const struct name_list *files, const char *path,
				 const char *text, size_t len, struct ce_err *err)
{
	enum ce_status st = CE_OK;
	const char *body = text;
	if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
		body += 3;
	const char *end = NULL;
	if (strncmp(body, "---", 3) == 0 && (body[3] == '\n' || (body[3] == '\r' && body[4] == '\n'))) {
		body = strchr(body, '\n') + 1;
		for (const char *p = body; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
			if (strncmp(p, "---", 3) == 0 && (p[3] == '\n' || p[3] == '\r' || p[3] == 0)) {
				end = p;
				break;
			}
	}
	if (!end) /* no front matter: nothing declared */
		return CE_OK;
	struct card c = {.path = path, .line0 = 1};
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return ce_err_set(err, CE_E_NOMEM, "out of memory reading %s", l->dir);
	yaml_parser_set_input_string(&parser, (const unsigned char *)body, (size_t)(end - body));
	if (!yaml_parser_load(&parser, &c.doc)) {
		st = ce_err_set(err, CE_E_FORMAT, "%s:%zu:%zu: front matter: %s", path, parser.problem_mark.line + 2,
				parser.problem_mark.column + 1, parser.problem ? parser.problem : "malformed YAML");
		yaml_parser_delete(&parser);
		return st;
	}
	yaml_node_t *configs = map_get(&c, yaml_document_get_root_node(&c.doc), "configs");
	if (configs) {
		l->has_configs = 1;
		st = read_configs(l, &c, configs, files, err);
	}
	yaml_document_delete(&c.doc);
	yaml_parser_delete(&parser);
	return st;
}

/* README.md of the snapshot folder, if any, through parse_card. */
static enum ce_status read_card(struct hub_layout *l, const struct name_list *files, struct ce_err *err)
{
	char *path = fs_join(l->dir, "README.md");
	if (!path)
		return ce_err_set(err, CE_E_NOMEM, "out of memory reading %s", l->dir);
	char *text = NULL;
	size_t len = 0;
	enum ce_status st = fs_read_file(path, HUB_CARD_MAX, &text, &len, err);
	if (st == CE_E_NOT_FOUND) {
		ce_err_clear(err);
		st = CE_OK;
	} else if (st == CE_OK) {
		st = parse_card(l, files, path, text, len, err);
	}
	ce_free(text);
	ce_free(path);
	return st;
}

/* ---- public ---------------------------------------------------------------- */

/* Splits from the file names when the card declared none; sorted files; *out = l or l freed on error. */
static enum ce_status layout_finish(struct hub_layout *l, struct name_list *files, enum ce_status st,
				    struct hub_layout **out, struct ce_err *err)
{
	if (st == CE_OK && !l->has_configs)
		st = infer_splits(l, files, err);
	names_free(files);
	if (st != CE_OK) {
		hub_layout_free(l);
		return st;
	}
	for (int32_t i = 0; i < l->n_splits; i++) /* listing was sorted; a split fed by several globs is re-sorted */
		sort_names(l->splits[i].files, l->splits[i].n_files);
	*out = l;
	return CE_OK;
}

enum ce_status hub_layout_read(const char *dir, struct hub_layout **out, struct ce_err *err)
{
	*out = NULL;
	struct hub_layout *l = ce_calloc(1, sizeof *l);
	if (!l || !(l->dir = ce_strdup(dir))) {
		ce_free(l);
		return ce_err_set(err, CE_E_NOMEM, "out of memory reading %s", dir);
	}
	size_t n = strlen(l->dir);
	while (n > 1 && l->dir[n - 1] == '/')
		l->dir[--n] = 0;
	struct name_list files = {0};
	int32_t seen = 0;
	enum ce_status st = list_files(l->dir, "", 0, &files, &seen, err);
	if (st == CE_OK) {
		sort_names(files.v, files.n);
		st = read_card(l, &files, err);
	}
	return layout_finish(l, &files, st, out, err);
}

enum ce_status hub_layout_from_list(const char *dir, const char *const *paths, int32_t n_paths, const char *card,
				    size_t card_len, struct hub_layout **out, struct ce_err *err)
{
	*out = NULL;
	struct hub_layout *l = ce_calloc(1, sizeof *l);
	if (!l || !(l->dir = ce_strdup(dir))) {
		ce_free(l);
		return ce_err_set(err, CE_E_NOMEM, "out of memory reading %s", dir);
	}
	struct name_list files = {0};
	enum ce_status st = n_paths > HUB_MAX_ENTRIES
				    ? ce_err_set(err, CE_E_LIMIT, "%s: more than %d files", dir, HUB_MAX_ENTRIES)
				    : CE_OK;
	for (int32_t i = 0; st == CE_OK && i < n_paths; i++) {
		const char *base = strrchr(paths[i], '/') ? strrchr(paths[i], '/') + 1 : paths[i];
		if (base[0] == '.') /* as the folder listing skips .gitattributes */
			continue;
		st = names_push(&files, ce_strdup(paths[i]), err);
	}
	if (st == CE_OK) {
		sort_names(files.v, files.n);
		if (card) {
			/* the card as given need not end in a NUL (a downloaded buffer): parse a terminated copy */
			char *path = fs_join(dir, "README.md"), *text = ce_malloc(card_len + 1);
			if (path && text) {
				memcpy(text, card, card_len);
				text[card_len] = '\0';
				st = parse_card(l, &files, path, text, card_len, err);
			} else {
				st = ce_err_set(err, CE_E_NOMEM, "out of memory reading %s", dir);
			}
			ce_free(text);
			ce_free(path);
		}
	}
	return layout_finish(l, &files, st, out, err);
}

void hub_layout_free(struct hub_layout *l)
{
	if (!l)
		return;
	for (int32_t i = 0; i < l->n_splits; i++) {
		struct hub_split *s = &l->splits[i];
		for (int32_t j = 0; j < s->n_files; j++)
			ce_free(s->files[j]);
		ce_free(s->files);
		ce_free(s->config);
		ce_free(s->split);
	}
	ce_free(l->splits);
	ce_free(l->dir);
	ce_free(l);
}

const struct hub_split *hub_layout_find(const struct hub_layout *l, const char *config, const char *split)
{
	if (!config)
		config = "default";
	const struct hub_split *only = NULL;
	int32_t n_in_config = 0;
	for (int32_t i = 0; i < l->n_splits; i++) {
		const struct hub_split *s = &l->splits[i];
		if (strcmp(s->config, config) != 0)
			continue;
		if (strcmp(s->split, split) == 0)
			return s;
		only = s;
		n_in_config++;
	}
	return n_in_config == 1 ? only : NULL;
}

int hub_layout_has_config(const struct hub_layout *l, const char *config)
{
	for (int32_t i = 0; i < l->n_splits; i++)
		if (strcmp(l->splits[i].config, config) == 0)
			return 1;
	return 0;
}
