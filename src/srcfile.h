/*
 * Loaded source files: display name, bytes and line starts. Diagnostics point into
 * them, so every srcfile lives until srcfile_free_all() at the end of the process.
 */
#ifndef WFGEN_SRCFILE_H
#define WFGEN_SRCFILE_H

#include <stddef.h>

struct srcfile {
    char *name;          /* display path, as the user gave it */
    char *buf;           /* bytes, NUL-terminated */
    size_t len;          /* bytes in buf */
    size_t *line_starts; /* byte offset of each line */
    size_t nlines;
};

/* Reads path; returns a borrowed srcfile owned by the registry, or NULL with errno set.
 */
struct srcfile *srcfile_load(const char *path);
/* Registers a copy of an in-memory buffer under a display name. */
struct srcfile *srcfile_from_mem(const char *name, const char *buf, size_t len);
/* Returns the bytes of 1-based line (without newline) and its length; NULL if none. */
const char *srcfile_line(const struct srcfile *f, unsigned line, size_t *len);
/* Byte offset within a line of the 1-based character column `col` (UTF-8 aware). */
size_t srcfile_col_offset(const char *line, size_t len, unsigned col);
void srcfile_free_all(void);

#endif
