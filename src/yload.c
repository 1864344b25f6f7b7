/*
 * YAML/JSON loader: a libyaml event loop that builds jansson values and records where
 * each one came from. YAML 1.2 core-schema typing; duplicate keys, alias bombs, deep
 * nesting, bad UTF-8 and oversized integers are reported as diagnostics.
 */
#include "yload.h"

#include "base/xalloc.h"
#include "srcfile.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- location table --------------------------------------------------------------- */

/*
 * One entry per value: keyed by its container plus a member key or an array index
 * (the root and containers themselves use parent=container, key=NULL, idx=SIZE_MAX).
 * Open addressing with linear probing; keys are copied.
 */
struct loc_entry {
    const void *parent;
    char *key;
    size_t idx;
    struct loc vloc, kloc;
    unsigned raw_chars;  /* characters the scalar spans in the source (one line only) */
    unsigned char style; /* 0 container/other, 1 plain, 2 quoted without escapes */
};

struct yload_locs {
    struct loc_entry *v;
    size_t cap, nr;
};

static uint64_t hash_entry(const void *parent, const char *key, size_t idx)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(uintptr_t)parent;
    h *= 1099511628211ull;
    if (key)
        for (const unsigned char *p = (const unsigned char *)key; *p; p++)
            h = (h ^ *p) * 1099511628211ull;
    else
        h = (h ^ (uint64_t)idx) * 1099511628211ull;
    return h ^ (h >> 29);
}

static bool entry_matches(const struct loc_entry *e, const void *parent, const char *key,
                          size_t idx)
{
    if (e->parent != parent)
        return false;
    if (key)
        return e->key && !strcmp(e->key, key);
    return !e->key && e->idx == idx;
}

static struct loc_entry *locs_slot(struct yload_locs *t, const void *parent,
                                   const char *key, size_t idx)
{
    size_t i = (size_t)hash_entry(parent, key, idx) & (t->cap - 1);
    while (t->v[i].parent && !entry_matches(&t->v[i], parent, key, idx))
        i = (i + 1) & (t->cap - 1);
    return &t->v[i];
}

static void locs_grow(struct yload_locs *t)
{
    struct loc_entry *old = t->v;
    size_t oldcap = t->cap;
    t->cap = oldcap ? oldcap * 2 : 256;
    t->v = xcalloc(t->cap, sizeof(*t->v));
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].parent)
            *locs_slot(t, old[i].parent, old[i].key, old[i].idx) = old[i];
    free(old);
}

static struct loc_entry *locs_put(struct yload_locs *t, const void *parent,
                                  const char *key, size_t idx)
{
    if ((t->nr + 1) * 4 >= t->cap * 3)
        locs_grow(t);
    struct loc_entry *e = locs_slot(t, parent, key, idx);
    if (!e->parent) {
        e->parent = parent;
        e->key = key ? xstrdup(key) : NULL;
        e->idx = idx;
        t->nr++;
    }
    return e;
}

static const struct loc_entry *locs_get(const struct ydoc *doc, const void *parent,
                                        const char *key, size_t idx)
{
    const struct yload_locs *t = doc ? doc->locs : NULL;
    if (!t || !t->cap || !parent)
        return NULL;
    const struct loc_entry *e = locs_slot((struct yload_locs *)t, parent, key, idx);
    return e->parent ? e : NULL;
}

static void locs_free(struct yload_locs *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->cap; i++)
        free(t->v[i].key);
    free(t->v);
    free(t);
}

/* ---- loader state --------------------------------------------------------------------
 */

struct frame {
    json_t *container; /* object or array being filled */
    char *key;         /* pending mapping key (objects only) */
    struct loc kloc;
    char *anchor; /* anchor of this container, registered when it ends */
    size_t nodes; /* nodes in this subtree so far */
};

struct anchor {
    char *name;
    json_t *value; /* reference held by the table */
    size_t nodes;
};

struct loader {
    struct ydoc *doc;
    struct diag_list *dl;
    const struct srcfile *file;
    struct frame *stack;
    size_t depth, stack_alloc;
    struct anchor *anchors;
    size_t nanchors, anchors_alloc;
    size_t total_nodes;
    json_t *root;
    int ndocs;
    bool failed;
};

static struct loc mark_loc(const struct loader *ld, yaml_mark_t m)
{
    return (struct loc){ld->file, (unsigned)m.line + 1, (unsigned)m.column + 1, 1};
}

static struct loc event_loc(const struct loader *ld, const yaml_event_t *ev)
{
    struct loc l = mark_loc(ld, ev->start_mark);
    if (ev->end_mark.line == ev->start_mark.line &&
        ev->end_mark.index > ev->start_mark.index)
        l.len = (unsigned)(ev->end_mark.index - ev->start_mark.index);
    return l;
}

static void anchor_add(struct loader *ld, const char *name, json_t *value, size_t nodes)
{
    for (size_t i = 0; i < ld->nanchors; i++) {
        if (!strcmp(ld->anchors[i].name, name)) {
            /* YAML lets a later anchor of the same name shadow an earlier one. */
            json_decref(ld->anchors[i].value);
            ld->anchors[i].value = json_incref(value);
            ld->anchors[i].nodes = nodes;
            return;
        }
    }
    VEC_GROW(ld->anchors, ld->nanchors + 1, ld->anchors_alloc);
    ld->anchors[ld->nanchors++] =
        (struct anchor){xstrdup(name), json_incref(value), nodes};
}

static const struct anchor *anchor_find(const struct loader *ld, const char *name)
{
    for (size_t i = ld->nanchors; i-- > 0;)
        if (!strcmp(ld->anchors[i].name, name))
            return &ld->anchors[i];
    return NULL;
}

/*
 * Hands a finished value (new reference, stolen) to the enclosing container, records
 * its location, and counts its nodes against the alias budget.
 */
static int attach(struct loader *ld, json_t *value, struct loc vloc, size_t nodes,
                  const yaml_event_t *ev)
{
    ld->total_nodes += nodes;
    if (ld->total_nodes > YLOAD_MAX_NODES) {
        json_decref(value);
        diag_add(ld->dl, D_YAML_ALIAS_BUDGET, vloc,
                 "document expands to more than %d values", YLOAD_MAX_NODES);
        diag_note(ld->dl, "aliases multiply the size of what they refer to; "
                          "reduce the nesting of anchors and aliases");
        return -1;
    }
    struct loc_entry *e;
    if (ld->depth == 0) {
        if (ld->root)
            BUG("second root value");
        ld->root = value;
        e = locs_put(ld->doc->locs, ld, NULL, SIZE_MAX);
        e->vloc = vloc;
        return 0;
    }
    struct frame *f = &ld->stack[ld->depth - 1];
    f->nodes += nodes;
    if (json_is_array(f->container)) {
        e = locs_put(ld->doc->locs, f->container, NULL, json_array_size(f->container));
        json_array_append_new(f->container, value);
    } else if (!f->key) {
        BUG("mapping value without key");
    } else {
        json_t *old = json_object_get(f->container, f->key);
        if (old) {
            const struct loc_entry *first = locs_get(ld->doc, f->container, f->key, 0);
            diag_add(ld->dl, D_YAML_DUP_KEY, f->kloc, "duplicate key '%s'", f->key);
            if (first)
                diag_note(ld->dl, "first defined at line %u; remove one of them",
                          first->kloc.line);
            ld->failed = true;
            json_decref(value);
            free(f->key);
            f->key = NULL;
            return 0;
        }
        e = locs_put(ld->doc->locs, f->container, f->key, 0);
        e->kloc = f->kloc;
        json_object_set_new(f->container, f->key, value);
        free(f->key);
        f->key = NULL;
    }
    e->vloc = vloc;
    if (ev && ev->type == YAML_SCALAR_EVENT && vloc.len) {
        e->raw_chars = vloc.len;
        yaml_scalar_style_t st = ev->data.scalar.style;
        if (st == YAML_PLAIN_SCALAR_STYLE)
            e->style = 1;
        else if ((st == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                  st == YAML_DOUBLE_QUOTED_SCALAR_STYLE) &&
                 vloc.len == ev->data.scalar.length + 2)
            e->style = 2;
    }
    return 0;
}

/* ---- scalars --------------------------------------------------------------------------
 */

static bool all_digits(const char *s, const char *set)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!strchr(set, *s))
            return false;
    return true;
}

static bool is_core_float(const char *s)
{
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    size_t before = strspn(p, "0123456789");
    p += before;
    size_t after = 0;
    if (*p == '.') {
        p++;
        after = strspn(p, "0123456789");
        p += after;
    }
    if (!before && !after)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        size_t exp = strspn(p, "0123456789");
        if (!exp)
            return false;
        p += exp;
    }
    return *p == '\0';
}

static bool is_special_float(const char *s)
{
    static const char *const specials[] = {".inf",  ".Inf",  ".INF",  "+.inf",
                                           "+.Inf", "+.INF", "-.inf", "-.Inf",
                                           "-.INF", ".nan",  ".NaN",  ".NAN"};
    for (size_t i = 0; i < ARRAY_SIZE(specials); i++)
        if (!strcmp(s, specials[i]))
            return true;
    return false;
}

static bool is_one_of(const char *s, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, words[i]))
            return true;
    return false;
}

/* Parses an integer of the core schema; returns 0, or -1 when out of the 64-bit range. */
static int parse_core_int(const char *s, json_int_t *out)
{
    errno = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        unsigned long long v = strtoull(s + 2, NULL, s[1] == 'x' ? 16 : 8);
        if (errno || v > INT64_MAX)
            return -1;
        *out = (json_int_t)v;
        return 0;
    }
    long long v = strtoll(s, NULL, 10);
    if (errno)
        return -1;
    *out = v;
    return 0;
}

static bool is_core_int(const char *s)
{
    if (s[0] == '0' && s[1] == 'x')
        return all_digits(s + 2, "0123456789abcdefABCDEF");
    if (s[0] == '0' && s[1] == 'o')
        return all_digits(s + 2, "01234567");
    return all_digits(s + (s[0] == '+' || s[0] == '-'), "0123456789");
}

/* Types a plain scalar with the YAML 1.2 core schema; NULL after a diagnostic. */
static json_t *type_plain(struct loader *ld, const char *s, struct loc loc)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    static const char *const trues[] = {"true", "True", "TRUE"};
    static const char *const falses[] = {"false", "False", "FALSE"};
    if (is_one_of(s, nulls, ARRAY_SIZE(nulls)))
        return json_null();
    if (is_one_of(s, trues, ARRAY_SIZE(trues)))
        return json_true();
    if (is_one_of(s, falses, ARRAY_SIZE(falses)))
        return json_false();
    if (is_core_int(s)) {
        json_int_t v;
        if (parse_core_int(s, &v) == 0)
            return json_integer(v);
        diag_add(ld->dl, D_YAML_INT_RANGE, loc, "integer '%s' does not fit in 64 bits",
                 s);
        diag_note(ld->dl, "quote it to keep it as a string");
        return NULL;
    }
    if (is_core_float(s)) {
        double d = strtod(s, NULL);
        if (isfinite(d))
            return json_real(d);
    }
    if (is_special_float(s) || is_core_float(s)) {
        diag_add(ld->dl, D_YAML_NONFINITE, loc,
                 "number '%s' cannot be represented in JSON", s);
        diag_note(ld->dl, "quote it to keep it as a string");
        return NULL;
    }
    return json_string(s);
}

static json_t *type_tagged(struct loader *ld, const char *tag, const char *s,
                           struct loc loc)
{
    static const char pfx[] = "tag:yaml.org,2002:";
    if (!strcmp(tag, "!") || !strcmp(tag, "tag:yaml.org,2002:str"))
        return json_string(s);
    if (!strncmp(tag, pfx, sizeof(pfx) - 1)) {
        const char *t = tag + sizeof(pfx) - 1;
        if (!strcmp(t, "int") || !strcmp(t, "float") || !strcmp(t, "bool") ||
            !strcmp(t, "null")) {
            json_t *v = type_plain(ld, s, loc);
            if (!v)
                return NULL;
            bool ok = !strcmp(t, "int")     ? json_is_integer(v)
                      : !strcmp(t, "float") ? json_is_number(v)
                      : !strcmp(t, "bool")  ? json_is_boolean(v)
                                            : json_is_null(v);
            if (ok)
                return v;
            json_decref(v);
            diag_add(ld->dl, D_YAML_TAG, loc, "'%s' is not a valid !!%s", s, t);
            return NULL;
        }
    }
    diag_add(ld->dl, D_YAML_TAG, loc, "unsupported tag '%s'", tag);
    diag_note(ld->dl,
              "only the YAML 1.2 core tags (!!str, !!int, !!float, !!bool, !!null) "
              "are understood");
    return NULL;
}

static int on_scalar(struct loader *ld, const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    struct loc loc = event_loc(ld, ev);
    struct frame *f = ld->depth ? &ld->stack[ld->depth - 1] : NULL;
    if (f && json_is_object(f->container) && !f->key) {
        f->key = xstrdup(s);
        f->kloc = loc;
        return 0;
    }
    json_t *v;
    if (ev->data.scalar.tag)
        v = type_tagged(ld, (const char *)ev->data.scalar.tag, s, loc);
    else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        v = type_plain(ld, s, loc);
    else
        v = json_string(s);
    if (!v) {
        ld->failed = true;
        v = json_null(); /* keep the tree's shape so later errors still make sense */
    }
    if (ev->data.scalar.anchor)
        anchor_add(ld, (const char *)ev->data.scalar.anchor, v, 1);
    return attach(ld, v, loc, 1, ev);
}

/* ---- containers and aliases -----------------------------------------------------------
 */

static int on_start(struct loader *ld, const yaml_event_t *ev, bool mapping)
{
    struct loc loc = event_loc(ld, ev);
    struct frame *parent = ld->depth ? &ld->stack[ld->depth - 1] : NULL;
    if (parent && json_is_object(parent->container) && !parent->key) {
        diag_add(ld->dl, D_YAML_KEY_TYPE, loc, "mapping key is a %s, not a scalar",
                 mapping ? "mapping" : "sequence");
        diag_note(ld->dl, "keys must be plain text");
        return -1;
    }
    if (ld->depth >= YLOAD_MAX_DEPTH) {
        diag_add(ld->dl, D_YAML_DEPTH, loc, "nesting deeper than %d levels",
                 YLOAD_MAX_DEPTH);
        return -1;
    }
    const yaml_char_t *anchor =
        mapping ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
    VEC_GROW(ld->stack, ld->depth + 1, ld->stack_alloc);
    struct frame *f = &ld->stack[ld->depth++];
    memset(f, 0, sizeof(*f));
    f->container = mapping ? json_object() : json_array();
    f->anchor = anchor ? xstrdup((const char *)anchor) : NULL;
    f->nodes = 1;
    struct loc_entry *e = locs_put(ld->doc->locs, f->container, NULL, SIZE_MAX);
    e->vloc = loc;
    return 0;
}

static int on_end(struct loader *ld)
{
    struct frame f = ld->stack[--ld->depth];
    if (f.anchor) {
        anchor_add(ld, f.anchor, f.container, f.nodes);
        free(f.anchor);
    }
    free(f.key);
    struct loc loc = locs_get(ld->doc, f.container, NULL, SIZE_MAX)->vloc;
    /* The container's nodes were already counted one by one as they attached. */
    ld->total_nodes -= f.nodes - 1;
    return attach(ld, f.container, loc, f.nodes, NULL);
}

static int on_alias(struct loader *ld, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    struct loc loc = event_loc(ld, ev);
    struct frame *f = ld->depth ? &ld->stack[ld->depth - 1] : NULL;
    const struct anchor *a = anchor_find(ld, name);
    if (!a) {
        diag_add(ld->dl, D_YAML_UNDEF_ALIAS, loc, "alias '*%s' refers to no anchor",
                 name);
        diag_note(ld->dl, "define '&%s' before using it", name);
        return -1;
    }
    if (f && json_is_object(f->container) && !f->key) {
        if (!json_is_string(a->value)) {
            diag_add(ld->dl, D_YAML_KEY_TYPE, loc,
                     "alias '*%s' used as a key is not text", name);
            return -1;
        }
        f->key = xstrdup(json_string_value(a->value));
        f->kloc = loc;
        return 0;
    }
    /* Values are shared, not copied: the budget counts what a copy would cost. */
    return attach(ld, json_incref(a->value), loc, a->nodes, ev);
}

/* ---- errors from libyaml --------------------------------------------------------------
 */

/* Converts a byte offset to a location (libyaml reports reader errors by offset). */
static struct loc offset_loc(const struct srcfile *file, size_t off)
{
    size_t lo = 0, hi = file->nlines;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (file->line_starts[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    unsigned col = 1;
    for (size_t i = file->line_starts[lo]; i < off && i < file->len; i++)
        col += ((unsigned char)file->buf[i] & 0xC0) != 0x80;
    return (struct loc){file, (unsigned)lo + 1, col, 1};
}

static void report_parser_error(struct loader *ld, const yaml_parser_t *p)
{
    if (p->error == YAML_READER_ERROR) {
        struct loc loc = offset_loc(ld->file, p->problem_offset);
        if (p->problem_value != -1)
            diag_add(ld->dl, D_YAML_UTF8, loc, "invalid UTF-8: %s (byte 0x%02X)",
                     p->problem, (unsigned)p->problem_value);
        else
            diag_add(ld->dl, D_YAML_UTF8, loc, "invalid text: %s", p->problem);
        diag_note(ld->dl, "save the file as UTF-8 without control characters");
        return;
    }
    if (p->error == YAML_MEMORY_ERROR) {
        diag_add(ld->dl, D_YAML_SYNTAX, (struct loc){ld->file, 0, 0, 0}, "out of memory");
        return;
    }
    struct loc loc = mark_loc(ld, p->problem_mark);
    diag_add(ld->dl, D_YAML_SYNTAX, loc, "%s", p->problem ? p->problem : "syntax error");
    if (p->context)
        diag_note(ld->dl, "%s, which started at line %zu column %zu", p->context,
                  p->context_mark.line + 1, p->context_mark.column + 1);
}

/* ---- the event loop
 * --------------------------------------------------------------------- */

static int handle_event(struct loader *ld, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++ld->ndocs > 1) {
            diag_add(ld->dl, D_YAML_MULTI_DOC, event_loc(ld, ev),
                     "a second YAML document starts here");
            diag_note(ld->dl, "keep one document per file (remove the '---')");
            return -1;
        }
        return 0;
    case YAML_SCALAR_EVENT:
        return on_scalar(ld, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_start(ld, ev, false);
    case YAML_MAPPING_START_EVENT:
        return on_start(ld, ev, true);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return on_end(ld);
    case YAML_ALIAS_EVENT:
        return on_alias(ld, ev);
    default:
        return 0;
    }
}

/*
 * JSON allows tabs as whitespace, YAML does not (in most places). Tabs outside strings
 * become spaces; a tab is one character either way, so columns stay right.
 */
static char *json_tabs_to_spaces(const char *buf, size_t len)
{
    char *copy = xmalloc(len + 1);
    bool in_str = false;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (in_str && c == '\\' && i + 1 < len) {
            copy[i] = c;
            copy[i + 1] = buf[i + 1];
            i++;
            continue;
        }
        if (c == '"')
            in_str = !in_str;
        copy[i] = (!in_str && c == '\t') ? ' ' : c;
    }
    copy[len] = '\0';
    return copy;
}

static bool looks_like_json(const char *buf, size_t len)
{
    size_t i = 0;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && strchr(" \t\r\n", buf[i]))
        i++;
    return i < len && (buf[i] == '{' || buf[i] == '[');
}

static void loader_release(struct loader *ld)
{
    while (ld->depth) {
        struct frame *f = &ld->stack[--ld->depth];
        json_decref(f->container);
        free(f->key);
        free(f->anchor);
    }
    free(ld->stack);
    for (size_t i = 0; i < ld->nanchors; i++) {
        free(ld->anchors[i].name);
        json_decref(ld->anchors[i].value);
    }
    free(ld->anchors);
}

static int load_srcfile(struct ydoc *out, const struct srcfile *file,
                        struct diag_list *dl)
{
    memset(out, 0, sizeof(*out));
    out->file = file;
    out->locs = xcalloc(1, sizeof(*out->locs));
    struct loader ld = {.doc = out, .dl = dl, .file = file};
    char *json_copy = looks_like_json(file->buf, file->len)
                          ? json_tabs_to_spaces(file->buf, file->len)
                          : NULL;
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(
        &parser, (const unsigned char *)(json_copy ? json_copy : file->buf), file->len);
    int rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            report_parser_error(&ld, &parser);
            rc = -1;
            break;
        }
        int hrc = handle_event(&ld, &ev);
        bool end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (hrc) {
            rc = -1;
            break;
        }
        if (end)
            break;
    }
    yaml_parser_delete(&parser);
    free(json_copy);
    if (rc == 0 && !ld.root) {
        diag_add(dl, D_YAML_EMPTY, (struct loc){file, 0, 0, 0}, "file holds no document");
        rc = -1;
    }
    if (rc == 0 && ld.failed)
        rc = -1;
    loader_release(&ld);
    if (rc) {
        json_decref(ld.root);
        locs_free(out->locs);
        memset(out, 0, sizeof(*out));
        return -1;
    }
    out->root = ld.root;
    return 0;
}

int yload_file(struct ydoc *out, const char *path, struct diag_list *dl)
{
    memset(out, 0, sizeof(*out));
    const struct srcfile *file = srcfile_load(path);
    if (!file)
        return -2;
    return load_srcfile(out, file, dl);
}

int yload_mem(struct ydoc *out, const char *name, const char *buf, size_t len,
              struct diag_list *dl)
{
    return load_srcfile(out, srcfile_from_mem(name, buf, len), dl);
}

void ydoc_release(struct ydoc *doc)
{
    json_decref(doc->root);
    locs_free(doc->locs);
    memset(doc, 0, sizeof(*doc));
}

/* ---- lookups
 * ----------------------------------------------------------------------------- */

struct loc yload_file_loc(const struct ydoc *doc)
{
    return (struct loc){doc ? doc->file : NULL, 0, 0, 0};
}

struct loc yload_loc(const struct ydoc *doc, const json_t *container)
{
    const struct loc_entry *e = locs_get(doc, container, NULL, SIZE_MAX);
    if (!e && doc && container == doc->root)
        e = locs_get(doc, NULL, NULL, SIZE_MAX);
    return e ? e->vloc : yload_file_loc(doc);
}

struct loc yload_member_loc(const struct ydoc *doc, const json_t *obj, const char *key)
{
    const struct loc_entry *e = locs_get(doc, obj, key, 0);
    return e ? e->vloc : yload_loc(doc, obj);
}

struct loc yload_key_loc(const struct ydoc *doc, const json_t *obj, const char *key)
{
    const struct loc_entry *e = locs_get(doc, obj, key, 0);
    return e ? e->kloc : yload_loc(doc, obj);
}

struct loc yload_index_loc(const struct ydoc *doc, const json_t *arr, size_t index)
{
    const struct loc_entry *e = locs_get(doc, arr, NULL, index);
    return e ? e->vloc : yload_loc(doc, arr);
}

struct loc yload_member_subloc(const struct ydoc *doc, const json_t *obj, const char *key,
                               size_t offset, unsigned len)
{
    const struct loc_entry *e = locs_get(doc, obj, key, 0);
    if (!e)
        return yload_loc(doc, obj);
    struct loc l = e->vloc;
    const char *s = json_string_value(json_object_get(obj, key));
    if (!e->style || !s || offset > strlen(s))
        return l;
    unsigned chars = 0;
    for (size_t i = 0; i < offset; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    l.col += chars + (e->style == 2);
    l.len = len ? len : 1;
    return l;
}

const char *yload_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "a mapping";
    case JSON_ARRAY:
        return "a list";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}
