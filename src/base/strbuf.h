/*
 * Growable byte string (after git's strbuf). Invariants: `buf` is never NULL and is
 * always NUL-terminated at `buf[len]`; a fresh strbuf points at a static "" until the
 * first add. Growth goes through xalloc and cannot fail.
 */
#ifndef WFGEN_STRBUF_H
#define WFGEN_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
    size_t len;   /* bytes used, not counting the NUL */
    size_t alloc; /* bytes allocated; 0 while buf is the static "" */
    char *buf;
};

extern char strbuf_empty[];
#define STRBUF_INIT                                                                      \
    {                                                                                    \
        0, 0, strbuf_empty                                                               \
    }

void strbuf_init(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
/* Inline: writers add one character at a time in their hottest loops. */
static inline void strbuf_addch(struct strbuf *sb, char c)
{
    if (sb->len + 2 > sb->alloc)
        strbuf_grow(sb, 1);
    sb->buf[sb->len++] = c;
    sb->buf[sb->len] = '\0';
}
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_addrep(struct strbuf *sb, char c, size_t n);
void strbuf_setlen(struct strbuf *sb, size_t len);
void strbuf_reset(struct strbuf *sb);
/* Hands the buffer to the caller (who frees it) and resets sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_release(struct strbuf *sb);

#endif
