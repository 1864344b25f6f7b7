/*
 * YAML and JSON loading: one libyaml event loop builds a jansson tree plus a location
 * table, so later phases can point at file:line:col of any value. YAML 1.2 core schema
 * typing on plain scalars; duplicate keys, alias bombs, deep nesting, invalid UTF-8 and
 * integers beyond 64 bits become diagnostics.
 */
#ifndef WFGEN_YLOAD_H
#define WFGEN_YLOAD_H

#include "diag.h"

#include <jansson.h>

struct yload_locs;

struct ydoc {
    json_t *root;               /* new reference, owned by the ydoc */
    const struct srcfile *file; /* borrowed from the srcfile registry */
    struct yload_locs *locs;
};

#define YLOAD_MAX_DEPTH 128     /* nesting levels */
#define YLOAD_MAX_NODES 1000000 /* nodes after alias expansion */

/*
 * Loads a file. Returns 0 on success; -1 when diagnostics were added (syntax and the
 * like); -2 when the file cannot be read (errno set, nothing added). On failure `out`
 * is left empty and needs no release.
 */
int yload_file(struct ydoc *out, const char *path, struct diag_list *dl);
/* Same, from memory; `name` is the display name in diagnostics. */
int yload_mem(struct ydoc *out, const char *name, const char *buf, size_t len,
              struct diag_list *dl);
void ydoc_release(struct ydoc *doc);

/*
 * Locations. Scalars may be shared singletons (true, false, null), so members are
 * looked up through their container: `parent` plus a key or an index. A lookup that
 * finds nothing returns the location of the nearest known container, or the file.
 */
/* A value's kind in YAML words, for messages: "a mapping", "a list", "a string"... */
const char *yload_kind(const json_t *v);

struct loc yload_loc(const struct ydoc *doc, const json_t *container);
struct loc yload_member_loc(const struct ydoc *doc, const json_t *obj, const char *key);
struct loc yload_key_loc(const struct ydoc *doc, const json_t *obj, const char *key);
struct loc yload_index_loc(const struct ydoc *doc, const json_t *arr, size_t index);
/* Location of a character offset inside a plain, single-line string scalar (else start).
 */
struct loc yload_member_subloc(const struct ydoc *doc, const json_t *obj, const char *key,
                               size_t offset, unsigned len);
/* Location of the whole file (line 0). */
struct loc yload_file_loc(const struct ydoc *doc);

#endif
