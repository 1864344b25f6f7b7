/*
 * JSONata values: the per-evaluation arena, errors, scalar/array/object constructors,
 * conversion from and to jansson, $string()'s JSON text with JavaScript number
 * formatting, deep equality, truthiness and the UTF-8 helpers the functions share.
 */
#include "interp/jsonata_int.h"

#include "base/xalloc.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Arena ------------------------------------------------------------------------- */

#define ARENA_BLOCK 65536

void *jsonata_arena_alloc(struct jsonata_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct jsonata_arena_blk *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK / 4 ? n : ARENA_BLOCK;
        struct jsonata_arena_blk *nb = xmalloc(sizeof(*nb) + size);
        nb->used = 0;
        nb->size = size;
        a->total += size;
        if (b && size != ARENA_BLOCK) {
            /* keep filling the current block: put the big one behind it */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            return nb->data;
        }
        nb->next = b;
        a->head = b = nb;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

void jsonata_arena_release(struct jsonata_arena *a)
{
    struct jsonata_arena_blk *b = a->head;
    while (b) {
        struct jsonata_arena_blk *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
}

void jsonata_arena_reset(struct jsonata_arena *a)
{
    struct jsonata_arena_blk *keep = NULL, *b = a->head;
    while (b) {
        struct jsonata_arena_blk *next = b->next;
        if (!keep && b->size == ARENA_BLOCK)
            keep = b;
        else
            free(b);
        b = next;
    }
    a->head = keep;
    a->total = keep ? keep->size : 0;
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
}

void *jsonata_alloc_slow(struct jx *x, size_t n)
{
    if (x->arena.limit && x->arena.total + n > x->arena.limit)
        jsonata_throw(x, "U1001", 0, "the evaluation needs more than %zu bytes of memory",
                      x->arena.limit);
    return jsonata_arena_alloc(&x->arena, n);
}

char *jsonata_strndup(struct jx *x, const char *s, size_t n)
{
    char *p = jsonata_alloc(x, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ---- Errors ------------------------------------------------------------------------ */

static void vset_err(struct jsonata_err *err, const char *code, size_t pos,
                     const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static void vset_err(struct jsonata_err *err, const char *code, size_t pos,
                     const char *fmt, va_list ap)
{
    if (!err)
        return;
    snprintf(err->code, sizeof(err->code), "%s", code);
    err->offset = pos;
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

void jsonata_set_err(struct jsonata_err *err, const char *code, size_t pos,
                     const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_err(err, code, pos, fmt, ap);
    va_end(ap);
}

void jsonata_throw(struct jx *x, const char *code, size_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_err(x->err, code, pos, fmt, ap);
    va_end(ap);
    longjmp(x->jb, 1);
}

/* ---- Strings ----------------------------------------------------------------------- */

void jsonata_sb_add(struct jsb *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = jsonata_alloc(b->x, cap);
        if (b->len)
            memcpy(p, b->p, b->len);
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void jsonata_sb_adds(struct jsb *b, const char *s)
{
    jsonata_sb_add(b, s, strlen(s));
}

void jsonata_sb_addc(struct jsb *b, char c)
{
    jsonata_sb_add(b, &c, 1);
}

struct jv *jsonata_sb_str(struct jsb *b)
{
    return jsonata_str(b->x, b->len ? b->p : "", b->len);
}

/* ---- Constructors ------------------------------------------------------------------ */

struct jv jsonata_null = {.t = JV_NULL};
struct jv jsonata_true = {.t = JV_BOOL, .u.b = 1};
struct jv jsonata_false = {.t = JV_BOOL, .u.b = 0};
struct jv jsonata_placeholder = {.t = JV_NULL};

struct jv *jsonata_bool(bool b)
{
    return b ? &jsonata_true : &jsonata_false;
}

struct jv *jsonata_num(struct jx *x, double n)
{
    struct jv *v = jsonata_alloc(x, sizeof(*v));
    v->t = JV_NUM;
    v->f = 0;
    v->u.n = n;
    return v;
}

struct jv *jsonata_str(struct jx *x, const char *p, size_t len)
{
    struct jv *v = jsonata_alloc(x, sizeof(*v));
    v->t = JV_STR;
    v->f = 0;
    v->u.s.p = p;
    v->u.s.len = len;
    return v;
}

struct jv *jsonata_strdup(struct jx *x, const char *p, size_t len)
{
    return jsonata_str(x, jsonata_strndup(x, p, len), len);
}

struct jv *jsonata_cstr(struct jx *x, const char *s)
{
    return jsonata_strdup(x, s, strlen(s));
}

struct jv *jsonata_arr(struct jx *x, size_t cap)
{
    /* the value and its first vector in one allocation */
    struct jv *v = jsonata_alloc(x, sizeof(*v) + cap * sizeof(struct jv *));
    v->t = JV_ARR;
    v->f = 0;
    v->u.a.n = 0;
    v->u.a.cap = cap;
    v->u.a.v = cap ? (struct jv **)(v + 1) : NULL;
    return v;
}

struct jv *jsonata_seq(struct jx *x, size_t cap)
{
    struct jv *v = jsonata_arr(x, cap);
    v->f = JVF_SEQ;
    return v;
}

void jsonata_push(struct jx *x, struct jv *arr, struct jv *v)
{
    if (arr->u.a.n == arr->u.a.cap) {
        size_t cap = arr->u.a.cap ? arr->u.a.cap * 2 : 4;
        struct jv **nv = jsonata_alloc(x, cap * sizeof(*nv));
        if (arr->u.a.n)
            memcpy(nv, arr->u.a.v, arr->u.a.n * sizeof(*nv));
        arr->u.a.v = nv;
        arr->u.a.cap = cap;
    }
    arr->u.a.v[arr->u.a.n++] = v;
}

struct jv *jsonata_obj(struct jx *x)
{
    struct objcell {
        struct jv v;
        struct jobj o;
    } *c = jsonata_alloc(x, sizeof(*c));
    memset(c, 0, sizeof(*c));
    c->v.t = JV_OBJ;
    c->v.u.o.p = &c->o;
    return &c->v;
}

static uint32_t key_hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

static void obj_reindex(struct jx *x, struct jobj *o)
{
    size_t icap = 32;
    while (icap < o->n * 2 + 2)
        icap *= 2;
    o->idx = jsonata_alloc(x, icap * sizeof(uint32_t));
    memset(o->idx, 0, icap * sizeof(uint32_t));
    o->icap = icap;
    for (size_t i = 0; i < o->n; i++) {
        size_t h = key_hash(o->kv[i].k, o->kv[i].klen) & (icap - 1);
        while (o->idx[h])
            h = (h + 1) & (icap - 1);
        o->idx[h] = (uint32_t)(i + 1);
    }
}

static long obj_find(const struct jobj *o, const char *k, size_t klen)
{
    if (o->idx) {
        size_t h = key_hash(k, klen) & (o->icap - 1);
        while (o->idx[h]) {
            const struct jkv *e = &o->kv[o->idx[h] - 1];
            if (e->klen == klen && (!klen || e->k[0] == k[0]) && !memcmp(e->k, k, klen))
                return (long)o->idx[h] - 1;
            h = (h + 1) & (o->icap - 1);
        }
        return -1;
    }
    for (size_t i = 0; i < o->n; i++) /* the first byte rules most keys out */
        if (o->kv[i].klen == klen && (!klen || o->kv[i].k[0] == k[0]) &&
            !memcmp(o->kv[i].k, k, klen))
            return (long)i;
    return -1;
}

static struct jv *convert(struct jx *x, json_t *j, struct jv *cell, bool copy, int depth);

struct jv *jsonata_obj_get(struct jx *x, const struct jv *ov, const char *k, size_t klen)
{
    if (!ov->u.o.p) {
        /*
         * One member of a lazy object: read it straight from the json_t (a path reads
         * one or two members of objects that may have many). Arrays are costly to
         * convert again on every read, so they load the whole object instead.
         */
        json_t *m = json_object_getn(ov->u.o.src, k, klen);
        if (!m)
            return NULL;
        if (!json_is_array(m))
            return convert(x, m, jsonata_alloc(x, sizeof(struct jv)), false, 0);
    }
    struct jobj *o = jsonata_o(x, ov);
    long i = obj_find(o, k, klen);
    return i < 0 ? NULL : o->kv[i].v;
}

void jsonata_obj_set(struct jx *x, struct jv *ov, const char *k, size_t klen,
                     struct jv *v)
{
    struct jobj *o = jsonata_o(x, ov);
    long i = obj_find(o, k, klen);
    if (i >= 0) {
        o->kv[i].v = v;
        return;
    }
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 4;
        struct jkv *nkv = jsonata_alloc(x, cap * sizeof(*nkv));
        if (o->n)
            memcpy(nkv, o->kv, o->n * sizeof(*nkv));
        o->kv = nkv;
        o->cap = cap;
    }
    o->kv[o->n].k = k;
    o->kv[o->n].klen = klen;
    o->kv[o->n].v = v;
    o->n++;
    if (o->idx && o->n * 2 + 2 <= o->icap) {
        size_t h = key_hash(k, klen) & (o->icap - 1);
        while (o->idx[h])
            h = (h + 1) & (o->icap - 1);
        o->idx[h] = (uint32_t)o->n;
    } else if (o->n > 8) {
        obj_reindex(x, o);
    }
}

void jsonata_obj_del(struct jx *x, struct jv *ov, const char *k, size_t klen)
{
    struct jobj *o = jsonata_o(x, ov);
    long i = obj_find(o, k, klen);
    if (i < 0)
        return;
    memmove(&o->kv[i], &o->kv[i + 1], (o->n - (size_t)i - 1) * sizeof(struct jkv));
    o->n--;
    if (o->idx)
        obj_reindex(x, o);
}

struct jv *jsonata_fn(struct jx *x, enum jfn_kind k)
{
    struct jv *v = jsonata_alloc(x, sizeof(*v));
    v->t = JV_FUNC;
    v->f = 0;
    v->u.fn = jsonata_alloc(x, sizeof(struct jfn));
    memset(v->u.fn, 0, sizeof(struct jfn));
    v->u.fn->k = k;
    return v;
}

/* ---- Conversion -------------------------------------------------------------------- */

/*
 * Conversion fills value cells allocated a container at a time: an array or object of n
 * members costs two arena allocations, not n. Objects stay lazy unless copy is set.
 */
static struct jv *convert_array(struct jx *x, json_t *j, struct jv *cell, bool copy,
                                int depth);
static void obj_fill(struct jx *x, struct jv *v, json_t *j, bool copy, int depth);

static inline struct jv *convert(struct jx *x, json_t *j, struct jv *cell, bool copy,
                                 int depth)
{
    cell->f = 0;
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        cell->t = JV_OBJ;
        cell->u.o.p = NULL;
        cell->u.o.src = j;
        if (copy) /* j may be gone before the members are read */
            obj_fill(x, cell, j, true, depth);
        return cell;
    case JSON_STRING:
        cell->t = JV_STR;
        cell->u.s.len = json_string_length(j);
        cell->u.s.p = copy ? jsonata_strndup(x, json_string_value(j), cell->u.s.len)
                           : json_string_value(j);
        return cell;
    case JSON_INTEGER:
        cell->t = JV_NUM;
        cell->u.n = (double)json_integer_value(j);
        return cell;
    case JSON_REAL:
        cell->t = JV_NUM;
        cell->u.n = json_real_value(j);
        return cell;
    case JSON_ARRAY:
        return convert_array(x, j, cell, copy, depth);
    case JSON_TRUE:
        return &jsonata_true;
    case JSON_FALSE:
        return &jsonata_false;
    default:
        return &jsonata_null;
    }
}

static struct jv *convert_array(struct jx *x, json_t *j, struct jv *cell, bool copy,
                                int depth)
{
    if (depth >= JSONATA_MAX_NESTING)
        jsonata_throw(x, "U1001", 0, "the input is nested more than %d levels deep",
                      JSONATA_MAX_NESTING);
    size_t n = json_array_size(j);
    struct jv **v = n ? jsonata_alloc(x, n * sizeof(*v)) : NULL;
    struct jv *cells = n ? jsonata_alloc(x, n * sizeof(struct jv)) : NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(j, i);
        struct jv *c = &cells[i];
        if (json_typeof(e) == JSON_OBJECT && !copy) { /* the usual records, inline */
            c->t = JV_OBJ;
            c->f = 0;
            c->u.o.p = NULL;
            c->u.o.src = e;
            v[i] = c;
        } else {
            v[i] = convert(x, e, c, copy, depth + 1);
        }
    }
    cell->t = JV_ARR;
    cell->f = 0;
    cell->u.a.v = v;
    cell->u.a.n = cell->u.a.cap = n;
    return cell;
}

static void obj_fill(struct jx *x, struct jv *v, json_t *j, bool copy, int depth)
{
    if (depth >= JSONATA_MAX_NESTING)
        jsonata_throw(x, "U1001", 0, "the input is nested more than %d levels deep",
                      JSONATA_MAX_NESTING);
    size_t n = json_object_size(j), i = 0;
    struct cells {
        struct jobj o;
        struct jkv kv[];
    } *c = jsonata_alloc(x, sizeof(*c) + n * sizeof(struct jkv));
    struct jv *cells = n ? jsonata_alloc(x, n * sizeof(struct jv)) : NULL;
    memset(&c->o, 0, sizeof(c->o));
    c->o.kv = c->kv;
    c->o.cap = n;
    /* keys are unique in a json_t object: no lookups while filling */
    for (void *it = json_object_iter(j); it && i < n; it = json_object_iter_next(j, it)) {
        const char *k = json_object_iter_key(it);
        size_t klen = json_object_iter_key_len(it);
        struct jkv *e = &c->kv[i];
        e->k = copy ? jsonata_strndup(x, k, klen) : k;
        e->klen = klen;
        e->v = convert(x, json_object_iter_value(it), &cells[i], copy, depth + 1);
        i++;
    }
    c->o.n = i;
    if (c->o.n > 8)
        obj_reindex(x, &c->o);
    v->u.o.p = &c->o;
}

void jsonata_obj_load(struct jx *x, struct jv *v)
{
    obj_fill(x, v, v->u.o.src, false, 0);
}

struct jv *jsonata_from_json(struct jx *x, json_t *j, bool copy)
{
    return j ? convert(x, j, jsonata_alloc(x, sizeof(struct jv)), copy, 0) : NULL;
}

static json_t *num_to_json(double d)
{
    if (!isfinite(d)) /* AWS mode; plain mode refused them in check_finite */
        return json_string(isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    if (d == floor(d) && fabs(d) < 9007199254740992.0)
        return json_integer((json_int_t)d);
    return json_real(d);
}

/*
 * JSON text must be valid UTF-8; bytes that are not (from \ud800-style escapes or raw
 * bytes in the expression) become U+FFFD. Uses malloc, not the arena: nothing here may
 * throw while a json_t tree is half built.
 */
static bool utf8_bad(const char *s, size_t n, size_t i, size_t *k)
{
    uint32_t cp;
    *k = jsonata_utf8_decode(s + i, n - i, &cp);
    return (cp == 0xFFFD && *k == 1) || (cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF ||
           (*k == 2 && cp < 0x80) || (*k == 3 && cp < 0x800) || (*k == 4 && cp < 0x10000);
}

static bool utf8_ok(const char *s, size_t n)
{
    size_t k, i = 0;
    while (i < n && !((unsigned char)s[i] & 0x80)) /* ASCII: nothing to decode */
        i++;
    for (; i < n; i += k)
        if (utf8_bad(s, n, i, &k))
            return false;
    return true;
}

static char *utf8_clean(const char *s, size_t n, size_t *out_n)
{
    char *o = xmalloc(n * 3 + 1);
    size_t len = 0, k;
    for (size_t i = 0; i < n; i += k) {
        if (utf8_bad(s, n, i, &k)) {
            memcpy(o + len, "\xef\xbf\xbd", 3);
            len += 3;
        } else {
            memcpy(o + len, s + i, k);
            len += k;
        }
    }
    *out_n = len;
    return o;
}

static json_t *str_to_json(const char *s, size_t n)
{
    if (utf8_ok(s, n))
        return json_stringn_nocheck(s, n);
    size_t cn;
    char *c = utf8_clean(s, n, &cn);
    json_t *j = json_stringn_nocheck(c, cn);
    free(c);
    return j;
}

/*
 * Checks a result before conversion: plain mode has no JSON form for NaN and infinities,
 * and values nested deeper than JSONATA_MAX_NESTING are refused (the conversion
 * recurses).
 */
static void check_output(struct jx *x, const struct jv *v, unsigned depth)
{
    if (!v)
        return;
    if (depth > JSONATA_MAX_NESTING)
        jsonata_throw(x, "U1001", 0, "the result is nested more than %d levels deep",
                      JSONATA_MAX_NESTING);
    if (v->t == JV_NUM && !isfinite(v->u.n) && !x->aws)
        jsonata_throw(x, "D1001", 0, "number out of range: the result is not finite");
    if (v->t == JV_ARR)
        for (size_t i = 0; i < v->u.a.n; i++)
            check_output(x, v->u.a.v[i], depth + 1);
    if (v->t == JV_OBJ) {
        const struct jobj *o = jsonata_o(x, v);
        for (size_t i = 0; i < o->n; i++)
            check_output(x, o->kv[i].v, depth + 1);
    }
}

static json_t *to_json(struct jx *x, const struct jv *v)
{
    if (!v)
        return NULL;
    switch (v->t) {
    case JV_NULL:
        return json_null();
    case JV_BOOL:
        return json_boolean(v->u.b);
    case JV_NUM:
        return num_to_json(v->u.n);
    case JV_STR:
        return str_to_json(v->u.s.p, v->u.s.len);
    case JV_ARR: {
        json_t *a = json_array();
        for (size_t i = 0; i < v->u.a.n; i++) {
            const struct jv *e = v->u.a.v[i];
            json_t *je = (e && e->t != JV_FUNC) ? to_json(x, e) : json_null();
            json_array_append_new(a, je ? je : json_null());
        }
        return a;
    }
    case JV_OBJ: {
        json_t *o = json_object();
        const struct jobj *vo = jsonata_o(x, v);
        for (size_t i = 0; i < vo->n; i++) {
            const struct jkv *e = &vo->kv[i];
            if (!e->v || e->v->t == JV_FUNC)
                continue;
            json_t *jv = to_json(x, e->v);
            if (utf8_ok(e->k, e->klen)) {
                json_object_setn_new_nocheck(o, e->k, e->klen, jv);
            } else {
                size_t cn;
                char *c = utf8_clean(e->k, e->klen, &cn);
                json_object_setn_new_nocheck(o, c, cn, jv);
                free(c);
            }
        }
        return o;
    }
    default:
        return NULL;
    }
}

json_t *jsonata_to_json(struct jx *x, const struct jv *v)
{
    check_output(x, v, 0);
    return to_json(x, v);
}

/* ---- Number formatting ------------------------------------------------------------- */

void jsonata_numfmt(double d, char *buf)
{
    if (isnan(d)) {
        strcpy(buf, "NaN");
        return;
    }
    if (isinf(d)) {
        strcpy(buf, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d == 0) {
        strcpy(buf, "0");
        return;
    }
    if (d == floor(d) && fabs(d) < 9007199254740992.0) { /* integers: plain digits */
        char rev[24];
        size_t n = 0;
        for (uint64_t u = (uint64_t)fabs(d); u; u /= 10)
            rev[n++] = (char)('0' + u % 10);
        if (d < 0)
            *buf++ = '-';
        while (n)
            *buf++ = rev[--n];
        *buf = '\0';
        return;
    }
    /*
     * The shortest digits that read back as d. When fewer than 16 digits do, the
     * correctly rounded 15-digit form is exactly those digits padded with zeros (d lies
     * within half an ulp of them, much closer than half a step of 15 digits), so one
     * try at 15 stands for all the shorter ones; the zeros are trimmed below. Not for
     * subnormal numbers, whose ulp is wider.
     */
    char tmp[40];
    for (int p = fabs(d) >= DBL_MIN ? 15 : 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    char digits[24];
    int k = 0;
    const char *s = tmp;
    bool neg = *s == '-';
    if (neg)
        s++;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            digits[k++] = *s;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    int e = atoi(s + 1);
    int n = e + 1;
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (k <= n && n <= 21) {
        memcpy(o, digits, (size_t)k);
        o += k;
        for (int i = 0; i < n - k; i++)
            *o++ = '0';
    } else if (0 < n && n <= 21) {
        memcpy(o, digits, (size_t)n);
        o += n;
        *o++ = '.';
        memcpy(o, digits + n, (size_t)(k - n));
        o += k - n;
    } else if (-6 < n && n <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -n; i++)
            *o++ = '0';
        memcpy(o, digits, (size_t)k);
        o += k;
    } else {
        *o++ = digits[0];
        if (k > 1) {
            *o++ = '.';
            memcpy(o, digits + 1, (size_t)(k - 1));
            o += k - 1;
        }
        o += sprintf(o, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    *o = '\0';
}

/* ---- $string() --------------------------------------------------------------------- */

static void json_quote(struct jsb *b, const char *s, size_t n)
{
    jsonata_sb_addc(b, '"');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char ubuf[8];
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            if (c < 0x20) {
                snprintf(ubuf, sizeof(ubuf), "\\u%04x", c);
                esc = ubuf;
            }
        }
        if (esc) {
            jsonata_sb_add(b, s + start, i - start);
            jsonata_sb_adds(b, esc);
            start = i + 1;
        }
    }
    jsonata_sb_add(b, s + start, n - start);
    jsonata_sb_addc(b, '"');
}

static void indent(struct jsb *b, bool pretty, int level)
{
    if (!pretty)
        return;
    jsonata_sb_addc(b, '\n');
    for (int i = 0; i < level; i++)
        jsonata_sb_add(b, "  ", 2);
}

static void stringify(struct jx *x, struct jsb *b, const struct jv *v, bool pretty,
                      int level)
{
    char nb[40];
    if (level > JSONATA_MAX_NESTING)
        jsonata_throw(x, "U1001", 0, "the value is nested more than %d levels deep",
                      JSONATA_MAX_NESTING);
    if (!v || v->t == JV_FUNC) {
        jsonata_sb_add(b, "\"\"", 2);
        return;
    }
    switch (v->t) {
    case JV_NULL:
        jsonata_sb_add(b, "null", 4);
        break;
    case JV_BOOL:
        jsonata_sb_adds(b, v->u.b ? "true" : "false");
        break;
    case JV_NUM:
        if (!isfinite(v->u.n))
            jsonata_throw(x, "D1001", 0, "number out of range: %s",
                          isnan(v->u.n) ? "NaN" : "Infinity");
        if (v->u.n == floor(v->u.n) && fabs(v->u.n) < 9007199254740992.0) {
            jsonata_numfmt(v->u.n, nb);
        } else {
            snprintf(nb, sizeof(nb), "%.14e", v->u.n);
            jsonata_numfmt(strtod(nb, NULL), nb);
        }
        jsonata_sb_adds(b, nb);
        break;
    case JV_STR:
        json_quote(b, v->u.s.p, v->u.s.len);
        break;
    case JV_ARR:
        if (!v->u.a.n) {
            jsonata_sb_add(b, "[]", 2);
            break;
        }
        jsonata_sb_addc(b, '[');
        for (size_t i = 0; i < v->u.a.n; i++) {
            if (i)
                jsonata_sb_addc(b, ',');
            indent(b, pretty, level + 1);
            stringify(x, b, v->u.a.v[i], pretty, level + 1);
        }
        indent(b, pretty, level);
        jsonata_sb_addc(b, ']');
        break;
    case JV_OBJ: {
        size_t count = 0;
        const struct jobj *o = jsonata_o(x, v);
        jsonata_sb_addc(b, '{');
        for (size_t i = 0; i < o->n; i++) {
            const struct jkv *e = &o->kv[i];
            if (!e->v)
                continue;
            if (count++)
                jsonata_sb_addc(b, ',');
            indent(b, pretty, level + 1);
            json_quote(b, e->k, e->klen);
            jsonata_sb_add(b, pretty ? ": " : ":", pretty ? 2 : 1);
            stringify(x, b, e->v, pretty, level + 1);
        }
        if (count)
            indent(b, pretty, level);
        jsonata_sb_addc(b, '}');
        break;
    }
    default:
        break;
    }
}

struct jv *jsonata_stringify(struct jx *x, const struct jv *v, bool pretty)
{
    if (!v)
        return NULL;
    if (v->t == JV_STR)
        return (struct jv *)v;
    if (v->t == JV_FUNC)
        return jsonata_str(x, "", 0);
    if (v->t == JV_NUM && !isfinite(v->u.n))
        jsonata_throw(x, "D3001", 0,
                      "attempting to invoke string function on Infinity or NaN");
    if (v->t == JV_ARR && (v->f & JVF_OUTER) && v->u.a.n)
        v = v->u.a.v[0];
    struct jsb b = {x, NULL, 0, 0};
    stringify(x, &b, v, pretty, 0);
    return jsonata_sb_str(&b);
}

/* ---- Comparison and truth ---------------------------------------------------------- */

bool jsonata_scalar_equal(const struct jv *a, const struct jv *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->t != b->t)
        return false;
    switch (a->t) {
    case JV_NULL:
        return true;
    case JV_BOOL:
        return a->u.b == b->u.b;
    case JV_NUM:
        return a->u.n == b->u.n;
    case JV_STR:
        return a->u.s.len == b->u.s.len && !memcmp(a->u.s.p, b->u.s.p, a->u.s.len);
    default:
        return false;
    }
}

static bool deep_equal(struct jx *x, const struct jv *a, const struct jv *b, int depth)
{
    if (a == b)
        return true;
    if (depth > JSONATA_MAX_NESTING || !a || !b || a->t != b->t)
        return false;
    switch (a->t) {
    case JV_ARR:
        if (a->u.a.n != b->u.a.n)
            return false;
        for (size_t i = 0; i < a->u.a.n; i++)
            if (!deep_equal(x, a->u.a.v[i], b->u.a.v[i], depth + 1))
                return false;
        return true;
    case JV_OBJ: {
        const struct jobj *ao = jsonata_o(x, a), *bo = jsonata_o(x, b);
        if (ao->n != bo->n)
            return false;
        for (size_t i = 0; i < ao->n; i++) {
            const struct jkv *e = &ao->kv[i];
            long j = obj_find(bo, e->k, e->klen);
            if (j < 0 || !deep_equal(x, e->v, bo->kv[j].v, depth + 1))
                return false;
        }
        return true;
    }
    default:
        return jsonata_scalar_equal(a, b);
    }
}

bool jsonata_deep_equal(struct jx *x, const struct jv *a, const struct jv *b)
{
    return deep_equal(x, a, b, 0);
}

/* JSONata's $boolean(): *defined is false for undefined. */
bool jsonata_truthy(struct jx *x, const struct jv *v, bool *defined)
{
    if (defined)
        *defined = v != NULL;
    if (!v)
        return false;
    switch (v->t) {
    case JV_BOOL:
        return v->u.b;
    case JV_NUM:
        if (!isfinite(v->u.n) && !isnan(v->u.n))
            jsonata_throw(x, "D1001", 0, "number out of range");
        return v->u.n != 0 && !isnan(v->u.n);
    case JV_STR:
        return v->u.s.len > 0;
    case JV_ARR:
        if (v->u.a.n == 1)
            return jsonata_truthy(x, v->u.a.v[0], NULL);
        for (size_t i = 0; i < v->u.a.n; i++)
            if (jsonata_truthy(x, v->u.a.v[i], NULL))
                return true;
        return false;
    case JV_OBJ:
        return v->u.o.p ? v->u.o.p->n > 0 : json_object_size(v->u.o.src) > 0;
    default:
        return false;
    }
}

char jsonata_type_letter(const struct jv *v)
{
    if (!v)
        return 'm';
    switch (v->t) {
    case JV_NULL:
        return 'l';
    case JV_BOOL:
        return 'b';
    case JV_NUM:
        return 'n';
    case JV_STR:
        return 's';
    case JV_ARR:
        return 'a';
    case JV_FUNC:
        return 'f';
    default:
        return 'o';
    }
}

const char *jsonata_type_name(const struct jv *v)
{
    if (!v)
        return "undefined";
    switch (v->t) {
    case JV_NULL:
        return "null";
    case JV_BOOL:
        return "boolean";
    case JV_NUM:
        return "number";
    case JV_STR:
        return "string";
    case JV_ARR:
        return "array";
    case JV_FUNC:
        return "function";
    default:
        return "object";
    }
}

const char *jsonata_describe(struct jx *x, const struct jv *v)
{
    if (!v)
        return "undefined";
    if (v->t == JV_FUNC)
        return "a function";
    if (v->t == JV_NUM && !isfinite(v->u.n))
        return isnan(v->u.n) ? "NaN" : "Infinity";
    struct jsb b = {x, NULL, 0, 0};
    stringify(x, &b, v, false, 0);
    if (b.len > 60) {
        size_t cut = 57;
        while (cut > 0 && ((unsigned char)b.p[cut] & 0xC0) == 0x80)
            cut--;
        b.len = cut;
        jsonata_sb_add(&b, "...", 3);
    }
    return b.p;
}

/* ---- Arrays ------------------------------------------------------------------------ */

/*
 * JSONata's append(): undefined is ignored, non-arrays are wrapped, and the result is a
 * new plain array (never a sequence), as JavaScript's concat() makes it.
 */
struct jv *jsonata_append(struct jx *x, struct jv *a, struct jv *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    size_t na = a->t == JV_ARR ? a->u.a.n : 1, nb = b->t == JV_ARR ? b->u.a.n : 1;
    struct jv *r = jsonata_arr(x, na + nb);
    if (a->t != JV_ARR)
        r->u.a.v[0] = a;
    else if (na)
        memcpy(r->u.a.v, a->u.a.v, na * sizeof(struct jv *));
    if (b->t != JV_ARR)
        r->u.a.v[na] = b;
    else if (nb)
        memcpy(r->u.a.v + na, b->u.a.v, nb * sizeof(struct jv *));
    r->u.a.n = na + nb;
    return r;
}

struct jv *jsonata_as_array(struct jx *x, struct jv *v)
{
    if (v && v->t == JV_ARR)
        return v;
    struct jv *a = jsonata_seq(x, 1);
    if (v)
        jsonata_push(x, a, v);
    return a;
}

static struct jv *deep_clone(struct jx *x, const struct jv *v, int depth)
{
    if (!v)
        return NULL;
    if (depth > JSONATA_MAX_NESTING)
        jsonata_throw(x, "U1001", 0, "the value is nested more than %d levels deep",
                      JSONATA_MAX_NESTING);
    if (v->t == JV_ARR) {
        struct jv *a = jsonata_arr(x, v->u.a.n);
        a->f = v->f;
        for (size_t i = 0; i < v->u.a.n; i++)
            a->u.a.v[i] = deep_clone(x, v->u.a.v[i], depth + 1);
        a->u.a.n = v->u.a.n;
        return a;
    }
    if (v->t == JV_OBJ) {
        struct jv *o = jsonata_obj(x);
        const struct jobj *vo = jsonata_o(x, v);
        for (size_t i = 0; i < vo->n; i++) {
            const struct jkv *e = &vo->kv[i];
            jsonata_obj_set(x, o, e->k, e->klen, deep_clone(x, e->v, depth + 1));
        }
        return o;
    }
    return (struct jv *)v;
}

struct jv *jsonata_deep_clone(struct jx *x, const struct jv *v)
{
    return deep_clone(x, v, 0);
}

/* ---- UTF-8 ------------------------------------------------------------------------- */

size_t jsonata_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    }
    size_t n = u[0] >= 0xF8   ? 0
               : u[0] >= 0xF0 ? 4
               : u[0] >= 0xE0 ? 3
               : u[0] >= 0xC0 ? 2
                              : 0;
    if (!n || n > len) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t c = u[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    *cp = c;
    return n;
}

size_t jsonata_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t jsonata_utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

size_t jsonata_utf8_offset(const char *s, size_t len, size_t idx)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (n == idx)
                return i;
            n++;
        }
    }
    return len;
}
