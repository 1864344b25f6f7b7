/* Output sets; see emit.h. */
#include "emit/emit.h"

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/jout.h"

#include <stdarg.h>

#include <stdlib.h>
#include <string.h>

void outset_add(struct outset *set, const char *path, char *data, size_t len)
{
    VEC_GROW(set->v, set->nr + 1, set->alloc);
    set->v[set->nr++] = (struct outfile){xstrdup(path), data, len, NULL};
}

void outset_add_json(struct outset *set, const json_t *v, const char *fmt, ...)
{
    struct strbuf path = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&path, fmt, ap);
    va_end(ap);
    size_t len;
    char *text = jout_dump(v, &len);
    outset_add(set, path.buf, text, len);
    strbuf_release(&path);
}

void outset_move(struct outset *dst, struct outset *src)
{
    VEC_GROW(dst->v, dst->nr + src->nr, dst->alloc);
    if (src->nr)
        memcpy(dst->v + dst->nr, src->v, src->nr * sizeof(*src->v));
    dst->nr += src->nr;
    free(src->v);
    *src = (struct outset)OUTSET_INIT;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(((const struct outfile *)a)->path, ((const struct outfile *)b)->path);
}

void outset_sort(struct outset *set)
{
    if (set->nr > 1)
        qsort(set->v, set->nr, sizeof(*set->v), cmp_path);
    for (size_t i = 1; i < set->nr; i++)
        if (!strcmp(set->v[i - 1].path, set->v[i].path))
            BUG("output '%s' generated twice", set->v[i].path);
}

const struct outfile *outset_find(const struct outset *set, const char *path)
{
    struct outfile key = {(char *)path, NULL, 0, NULL};
    if (!set->nr)
        return NULL; /* bsearch may not be given a NULL array */
    return bsearch(&key, set->v, set->nr, sizeof(*set->v), cmp_path);
}

void outset_release(struct outset *set)
{
    for (size_t i = 0; i < set->nr; i++) {
        free(set->v[i].path);
        free(set->v[i].data);
        free(set->v[i].staged);
    }
    free(set->v);
    set->v = NULL;
    set->nr = set->alloc = 0;
}
