/*
 * Output sets: emitters add (relative path, bytes) pairs; the build writes the set
 * atomically, compares it for --check, and records it in the manifest. Emitters never
 * touch the file system themselves.
 *
 * How to add an emitter: write src/emit/<name>.c with a function that adds files to an
 * outset for one catalog, declare it here, add it to the emitters[] table in build.c,
 * and add a golden case under tests/golden/build/.
 */
#ifndef WFGEN_EMIT_H
#define WFGEN_EMIT_H

#include <jansson.h>
#include <stddef.h>

struct outfile {
    char *path; /* relative to the output folder, '/'-separated */
    char *data; /* NULL once build staged the file (see build.h) */
    size_t len;
    char *staged; /* build: the temporary holding the bytes, or NULL (see build.h) */
};

struct outset {
    struct outfile *v;
    size_t nr, alloc;
};

#define OUTSET_INIT                                                                      \
    {                                                                                    \
        NULL, 0, 0                                                                       \
    }

/* Adds a file; steals `data` (malloc'd). */
void outset_add(struct outset *set, const char *path, char *data, size_t len);
/*
 * Adds the canonical JSON text of `v` (borrowed) under a printf-formatted path, e.g.
 * outset_add_json(set, policy, "iam/%s.policy.json", key).
 */
void outset_add_json(struct outset *set, const json_t *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Appends every file of `src` to `dst`; empties src. */
void outset_move(struct outset *dst, struct outset *src);
/* Sorts by path (the order files are written and listed in); a path twice is a BUG. */
void outset_sort(struct outset *set);
/* Binary search; the set must be sorted. */
const struct outfile *outset_find(const struct outset *set, const char *path);
void outset_release(struct outset *set);

#endif
