/*
 * Template rendering (see tmpl.h and docs/templates.md): a single pass over the text
 * that copies bytes, expands `{{ ... }}` placeholders from a json_t object through a
 * filter table, drops comments and unescapes `\{{`.
 */
#include "emit/tmpl.h"

#include "base/fsutil.h"
#include "base/xalloc.h"
#include "emit/hcl.h"
#include "emit/jout.h"
#include "srcfile.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- filters ---------------------------------------------------------------------- */

/*
 * A filter appends a value to the output; `indent` is the indentation of the output
 * line the placeholder sits on. Returns -1 when it cannot render that type.
 */
typedef int filter_fn(struct strbuf *out, const json_t *v, unsigned indent);

static int filter_raw(struct strbuf *out, const json_t *v, unsigned indent)
{
    (void)indent;
    switch (json_typeof(v)) {
    case JSON_STRING:
        strbuf_add(out, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_INTEGER:
    case JSON_REAL:
    case JSON_TRUE:
    case JSON_FALSE:
        hcl_value(out, v, 0);
        return 0;
    default:
        return -1;
    }
}

static int filter_hcl(struct strbuf *out, const json_t *v, unsigned indent)
{
    hcl_value(out, v, indent);
    return 0;
}

static int filter_json(struct strbuf *out, const json_t *v, unsigned indent)
{
    (void)indent;
    char *s = jout_compact(v);
    strbuf_adds(out, s);
    free(s);
    return 0;
}

static const struct filter {
    const char *name;
    filter_fn *fn;
} filters[] = {
    {"raw", filter_raw},   /* the default: strings as is, numbers, booleans */
    {"hcl", filter_hcl},   /* any value as an HCL expression (hcl.h) */
    {"json", filter_json}, /* any value as compact JSON */
};

static const struct filter *find_filter(const char *name, size_t len)
{
    for (size_t i = 0; i < ARRAY_SIZE(filters); i++)
        if (strlen(filters[i].name) == len && !memcmp(filters[i].name, name, len))
            return &filters[i];
    return NULL;
}

/* ---- scanning --------------------------------------------------------------------- */

struct scan {
    const struct srcfile *file;
    const char *buf;
    size_t len, pos;
    size_t line_start; /* offset of the current line */
    unsigned line;
    const json_t *vars;
    struct strbuf *out;
    struct diag_list *dl;
    int rc;
};

/* Location of the bytes [off, off+len) on the current line, in characters. */
static struct loc loc_at(const struct scan *s, size_t off, size_t len)
{
    unsigned col = 1, n = 0;
    for (size_t i = s->line_start; i < off; i++)
        if (((unsigned char)s->buf[i] & 0xC0) != 0x80)
            col++;
    for (size_t i = off; i < off + len; i++)
        if (((unsigned char)s->buf[i] & 0xC0) != 0x80)
            n++;
    return (struct loc){s->file, s->line, col, n};
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_name_start(char c)
{
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

/* True when [p, p+n) is a dotted name: [A-Za-z_][A-Za-z0-9_]* segments joined by dots. */
static bool valid_name(const char *p, size_t n)
{
    bool start = true;
    for (size_t i = 0; i < n; i++) {
        if (start && !is_name_start(p[i]))
            return false;
        if (!start && p[i] == '.') {
            start = true;
            continue;
        }
        if (!is_name_char(p[i]))
            return false;
        start = false;
    }
    return n && !start;
}

/* Walks a dotted name through nested objects; returns a borrowed value or NULL. */
static const json_t *lookup(const json_t *vars, const char *name, size_t n)
{
    const json_t *v = vars;
    while (v && n) {
        const char *dot = memchr(name, '.', n);
        size_t seg = dot ? (size_t)(dot - name) : n;
        char *key = xstrndup(name, seg);
        v = json_is_object(v) ? json_object_get(v, key) : NULL;
        free(key);
        name += seg + (dot ? 1 : 0);
        n -= seg + (dot ? 1 : 0);
    }
    return v;
}

/* Indentation of the last (unfinished) line of the output. */
static unsigned current_indent(const struct strbuf *out)
{
    size_t i = out->len;
    while (i && out->buf[i - 1] != '\n')
        i--;
    unsigned n = 0;
    while (i + n < out->len && out->buf[i + n] == ' ')
        n++;
    return n;
}

/* Adds a note listing the top-level variable names, in their order. */
static void note_known_names(struct scan *s)
{
    struct strbuf sb = STRBUF_INIT;
    json_t *vars = (json_t *)s->vars;
    for (void *it = json_object_iter(vars); it; it = json_object_iter_next(vars, it)) {
        if (sb.len)
            strbuf_adds(&sb, ", ");
        strbuf_adds(&sb, json_object_iter_key(it));
    }
    diag_note(s->dl, "known names: %s", sb.len ? sb.buf : "(none)");
    strbuf_release(&sb);
}

static void trim(const char **p, size_t *n)
{
    while (*n && is_blank(**p)) {
        (*p)++;
        (*n)--;
    }
    while (*n && is_blank((*p)[*n - 1]))
        (*n)--;
}

/*
 * Expands the placeholder whose body (between the braces) is [body, body+n); `open`
 * is the offset of its `{{` and `total` its length including the braces.
 */
static void expand(struct scan *s, const char *body, size_t n, size_t open, size_t total)
{
    struct loc loc = loc_at(s, open, total);
    const struct filter *f = &filters[0];

    if (n && body[0] == '!')
        return; /* a comment */

    const char *name = body, *bar = memchr(body, '|', n);
    size_t name_len = bar ? (size_t)(bar - body) : n;
    trim(&name, &name_len);
    if (bar) {
        const char *fname = bar + 1;
        size_t flen = (size_t)(body + n - fname);
        trim(&fname, &flen);
        f = find_filter(fname, flen);
        if (!f) {
            s->rc = diag_add(s->dl, D_BUILD_TEMPLATE, loc, "unknown filter '%.*s'",
                             (int)flen, fname);
            diag_note(s->dl, "filters: raw (the default), hcl, json");
            return;
        }
    }
    if (!valid_name(name, name_len)) {
        s->rc = diag_add(s->dl, D_BUILD_TEMPLATE, loc, "malformed placeholder '{{%.*s}}'",
                         (int)n, body);
        diag_note(s->dl, "write {{ name }} or {{ name | filter }}; \\{{ is a literal {{");
        return;
    }
    const json_t *v = lookup(s->vars, name, name_len);
    if (!v) {
        s->rc = diag_add(s->dl, D_BUILD_TEMPLATE, loc, "unknown placeholder '%.*s'",
                         (int)name_len, name);
        note_known_names(s);
        return;
    }
    if (f->fn(s->out, v, current_indent(s->out))) {
        s->rc = diag_add(s->dl, D_BUILD_TEMPLATE, loc,
                         "placeholder '%.*s' is not a string, number or boolean",
                         (int)name_len, name);
        diag_note(s->dl, "use '| hcl' or '| json' to write it as an expression");
    }
}

/*
 * At a line start: a line holding only a comment placeholder (and blanks) is dropped
 * whole, newline included, so templates can carry notes that leave no trace.
 */
static bool skip_comment_line(struct scan *s)
{
    size_t p = s->pos;
    while (p < s->len && is_blank(s->buf[p]))
        p++;
    if (s->len - p < 3 || memcmp(s->buf + p, "{{!", 3))
        return false;
    const char *nl = memchr(s->buf + p, '\n', s->len - p);
    size_t eol = nl ? (size_t)(nl - s->buf) : s->len;
    size_t close = p + 3;
    while (close + 1 < eol && memcmp(s->buf + close, "}}", 2))
        close++;
    if (close + 1 >= eol)
        return false;
    for (size_t q = close + 2; q < eol; q++)
        if (!is_blank(s->buf[q]) && s->buf[q] != '\r')
            return false;
    s->pos = nl ? eol + 1 : eol;
    s->line_start = s->pos;
    s->line++;
    return true;
}

/* Handles the `{{` at s->pos: finds its `}}` on the same line and expands it. */
static void placeholder(struct scan *s)
{
    size_t open = s->pos, p = open + 2;
    while (p + 1 < s->len && s->buf[p] != '\n' && memcmp(s->buf + p, "}}", 2))
        p++;
    if (p + 1 >= s->len || s->buf[p] == '\n') {
        s->rc = diag_add(s->dl, D_BUILD_TEMPLATE, loc_at(s, open, 2),
                         "unterminated placeholder");
        diag_note(s->dl, "a placeholder ends with }} on the same line");
        while (s->pos < s->len && s->buf[s->pos] != '\n')
            s->pos++;
        return;
    }
    expand(s, s->buf + open + 2, p - open - 2, open, p + 2 - open);
    s->pos = p + 2;
}

/* True when the text at the scan position starts with `lit`. */
static bool at(const struct scan *s, const char *lit)
{
    size_t n = strlen(lit);
    return s->pos + n <= s->len && !memcmp(s->buf + s->pos, lit, n);
}

int tmpl_render(const struct srcfile *file, const json_t *vars, struct strbuf *out,
                struct diag_list *dl)
{
    struct scan s = {file, file->buf, file->len, 0, 0, 1, vars, out, dl, 0};

    while (s.pos < s.len) {
        if (s.pos == s.line_start && skip_comment_line(&s))
            continue;
        if (at(&s, "\\\\{{")) { /* \\{{ : a backslash, then a placeholder */
            strbuf_addch(out, '\\');
            s.pos += 2;
        } else if (at(&s, "\\{{")) { /* \{{ : a literal {{ */
            strbuf_adds(out, "{{");
            s.pos += 3;
        } else if (at(&s, "{{")) {
            placeholder(&s);
        } else {
            char c = s.buf[s.pos++];
            strbuf_addch(out, c);
            if (c == '\n') {
                s.line++;
                s.line_start = s.pos;
            }
        }
    }
    return s.rc;
}

int tmpl_render_file(const char *dir, const char *name, const json_t *vars,
                     struct strbuf *out, struct diag_list *dl)
{
    char *path = fs_join(dir, name);
    const struct srcfile *f = srcfile_load(path);
    int rc;

    if (!f) {
        struct loc none = {NULL, 0, 0, 0};
        rc = diag_add(dl, D_BUILD_TEMPLATE, none, "cannot read template '%s': %s", path,
                      strerror(errno));
    } else {
        rc = tmpl_render(f, vars, out, dl);
    }
    free(path);
    return rc;
}

/* ---- the built-in templates folder ------------------------------------------------ */

/*
 * Candidates relative to the running binary: from the source tree the binary is
 * build/<variant>/wfgen, so the repository's templates/ is two folders up; installed,
 * it is PREFIX/bin/wfgen next to PREFIX/share/wfgen/templates/terraform (see
 * `make install`).
 */
static const char *const exe_relative[] = {
    "../../templates/terraform",
    "../share/wfgen/templates/terraform",
};

/* Returns the folder of the running binary (new string) or NULL. */
static char *exe_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    return fs_dirname(buf);
}

/*
 * Search order, first match wins:
 *   1. $WFGEN_TEMPLATES when set and not empty (tests, packagers; used even if absent,
 *      so a wrong setting shows up as "cannot read template" naming it);
 *   2. each exe_relative[] folder, resolved against the binary's folder, that holds
 *      main.tf.tmpl (returned as a canonical path).
 */
char *tmpl_builtin_dir(void)
{
    const char *env = getenv("WFGEN_TEMPLATES");
    if (env && *env)
        return xstrdup(env);

    char *dir = exe_dir(), *found = NULL;
    for (size_t i = 0; dir && !found && i < ARRAY_SIZE(exe_relative); i++) {
        char *cand = fs_join(dir, exe_relative[i]);
        char *probe = fs_join(cand, "main.tf.tmpl");
        char real[PATH_MAX];
        if (fs_exists(probe) && realpath(cand, real))
            found = xstrdup(real);
        free(probe);
        free(cand);
    }
    free(dir);
    return found;
}
