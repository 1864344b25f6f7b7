/*
 * Diagnostics: collect, sort, render. A diagnostic carries a stable code from
 * diag_codes.def, a location in a source file and a message; notes follow it.
 * Messages follow git's rules: lowercase, no final period, the problem first.
 */
#ifndef WFGEN_DIAG_H
#define WFGEN_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct srcfile;

enum diag_id {
#define DIAG(id, num, sev, summary) D_##id,
#include "diag_codes.def"
#undef DIAG
    D__COUNT
};

enum diag_sev { SEV_WARNING, SEV_ERROR };

/* 1-based line and column (in characters); line 0 means "the file as a whole". */
struct loc {
    const struct srcfile *file;
    unsigned line, col, len;
};

struct diag {
    enum diag_id id;
    enum diag_sev sev;
    struct loc loc;
    char *msg;
    char **notes; /* "note: ..." lines, in order */
    size_t nnotes;
    size_t seq; /* insertion order, the last sort key */
};

struct diag_list {
    struct diag *v;
    size_t nr, alloc;
};

#define DIAG_LIST_INIT                                                                   \
    {                                                                                    \
        NULL, 0, 0                                                                       \
    }

struct diag_info {
    const char *name; /* "YAML_SYNTAX" */
    unsigned num;     /* 1 -> "WF0001" */
    enum diag_sev sev;
    const char *summary;
};

const struct diag_info *diag_info(enum diag_id id);

/*
 * Adds a diagnostic with the code's default severity. Returns -1 for an error and 0
 * for a warning, so a failing path is one line: `return diag_add(...)`.
 */
int diag_add(struct diag_list *dl, enum diag_id id, struct loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Attaches a note to the most recent diagnostic. */
void diag_note(struct diag_list *dl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t diag_count(const struct diag_list *dl, enum diag_sev sev);
/* True when the list holds an error (or any warning, with werror). */
bool diag_failed(const struct diag_list *dl, bool werror);
void diag_sort(struct diag_list *dl);
/* Drops the diagnostics from index `from` on (used when a result is discarded). */
void diag_truncate(struct diag_list *dl, size_t from);
/* Appends every diagnostic of `src` to `dst`, as if added there in order; empties src. */
void diag_move(struct diag_list *dst, struct diag_list *src);
void diag_release(struct diag_list *dl);

enum diag_format { DIAG_TEXT, DIAG_JSON, DIAG_SARIF };
/* Renders all diagnostics (sorted) in the given format. */
void diag_print(struct diag_list *dl, enum diag_format fmt, FILE *out);
/* Writes docs/diagnostics.md contents: every code with its summary. */
void diag_print_catalog_markdown(FILE *out);

#endif
