/*
 * Allocation that cannot fail: on OOM the process prints a message and exits 4.
 * VEC_GROW grows an array geometrically, with an overflow check.
 */
#ifndef WFGEN_XALLOC_H
#define WFGEN_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated printf-formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
size_t xalloc_grow_size(size_t need, size_t elem);

/* Ensure `ptr` (with `alloc` slots) can hold `nr` elements. */
#define VEC_GROW(ptr, nr, alloc)                                                         \
    do {                                                                                 \
        if ((size_t)(nr) > (size_t)(alloc)) {                                            \
            size_t vec_n_ = xalloc_grow_size((size_t)(nr), sizeof(*(ptr)));              \
            (ptr) = xrealloc((ptr), vec_n_ * sizeof(*(ptr)));                            \
            (alloc) = vec_n_;                                                            \
        }                                                                                \
    } while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Internal invariant broken: print file:line and abort. */
#define BUG(...) bug_at(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void bug_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
