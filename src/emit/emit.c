/* Output sets; see emit.h. */
#include "emit/emit.h"

#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

void outset_add(struct outset *set, const char *path, char *data, size_t len)
{
    VEC_GROW(set->v, set->nr + 1, set->alloc);
    set->v[set->nr++] = (struct outfile){xstrdup(path), data, len};
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
    struct outfile key = {(char *)path, NULL, 0};
    return bsearch(&key, set->v, set->nr, sizeof(*set->v), cmp_path);
}

void outset_release(struct outset *set)
{
    for (size_t i = 0; i < set->nr; i++) {
        free(set->v[i].path);
        free(set->v[i].data);
    }
    free(set->v);
    set->v = NULL;
    set->nr = set->alloc = 0;
}
