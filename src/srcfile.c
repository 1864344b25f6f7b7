/* Registry of loaded sources and line lookup for diagnostics. */
#include "srcfile.h"

#include "base/fsutil.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Build threads load definitions at the same time; the lock guards the registry. */
static pthread_mutex_t files_lock = PTHREAD_MUTEX_INITIALIZER;
static struct srcfile **files;
static size_t nfiles, files_alloc;

static struct srcfile *register_file(const char *name, char *buf, size_t len)
{
    struct srcfile *f = xcalloc(1, sizeof(*f));
    size_t alloc = 0;
    f->name = xstrdup(name);
    f->buf = buf;
    f->len = len;
    VEC_GROW(f->line_starts, 1, alloc);
    f->line_starts[f->nlines++] = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        VEC_GROW(f->line_starts, f->nlines + 1, alloc);
        f->line_starts[f->nlines++] = i + 1;
    }
    pthread_mutex_lock(&files_lock);
    VEC_GROW(files, nfiles + 1, files_alloc);
    files[nfiles++] = f;
    pthread_mutex_unlock(&files_lock);
    return f;
}

struct srcfile *srcfile_load(const char *path)
{
    char *buf;
    size_t len;
    if (fs_read_file(path, &buf, &len))
        return NULL;
    return register_file(path, buf, len);
}

struct srcfile *srcfile_from_mem(const char *name, const char *buf, size_t len)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, buf, len);
    copy[len] = '\0';
    return register_file(name, copy, len);
}

const char *srcfile_line(const struct srcfile *f, unsigned line, size_t *len)
{
    if (!f || line == 0 || line > f->nlines)
        return NULL;
    size_t start = f->line_starts[line - 1];
    size_t end = line < f->nlines ? f->line_starts[line] - 1 : f->len;
    if (end > start && f->buf[end - 1] == '\r')
        end--;
    *len = end - start;
    return f->buf + start;
}

size_t srcfile_col_offset(const char *line, size_t len, unsigned col)
{
    size_t off = 0;
    for (unsigned c = 1; c < col && off < len; c++) {
        off++;
        while (off < len && ((unsigned char)line[off] & 0xC0) == 0x80)
            off++;
    }
    return off;
}

void srcfile_free_all(void)
{
    for (size_t i = 0; i < nfiles; i++) {
        free(files[i]->name);
        free(files[i]->buf);
        free(files[i]->line_starts);
        free(files[i]);
    }
    free(files);
    files = NULL;
    nfiles = files_alloc = 0;
}
