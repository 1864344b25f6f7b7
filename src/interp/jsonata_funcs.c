/*
 * The JSONata function library (table in jsonata_funcs.def): signature checking, the
 * string, numeric, boolean, array, object and higher-order functions, URL and base64
 * coding, and Step Functions' additions ($partition, $range, $hash, $random([seed]),
 * $uuid, $parse). Number and date formatting live in jsonata_format.c and
 * jsonata_datetime.c.
 */
#include "interp/jsonata_int.h"

#include "base/crypto.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RANGE_LIMIT 10000000.0

#define FN(name)                                                                         \
    static struct jv *name(struct jx *x, struct jv **a, size_t na, struct jv *in,        \
                           size_t pos)
#define UNUSED_ARGS                                                                      \
    do {                                                                                 \
        (void)x;                                                                         \
        (void)a;                                                                         \
        (void)na;                                                                        \
        (void)in;                                                                        \
        (void)pos;                                                                       \
    } while (0)

/* ---- Table ------------------------------------------------------------------------- */

#define JSONATA_FN(n, s, f, ar, po) FN(f);
#include "interp/jsonata_funcs.def"
#undef JSONATA_FN

static const struct jsonata_builtin builtins[] = {
#define JSONATA_FN(n, s, f, ar, po) {#n, s, f, ar, po},
#include "interp/jsonata_funcs.def"
#undef JSONATA_FN
};

#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

/* The builtins' function values, made at compile time: lookups allocate nothing. */
enum {
#define JSONATA_FN(n, s, f, ar, po) BI_##n,
#include "interp/jsonata_funcs.def"
#undef JSONATA_FN
};

static struct jfn builtin_fns[] = {
#define JSONATA_FN(n, s, f, ar, po)                                                      \
    {.k = JF_BUILTIN, .arity = ar, .bi = &builtins[BI_##n]},
#include "interp/jsonata_funcs.def"
#undef JSONATA_FN
};

static struct jv builtin_values[] = {
#define JSONATA_FN(n, s, f, ar, po) {.t = JV_FUNC, .u.fn = &builtin_fns[BI_##n]},
#include "interp/jsonata_funcs.def"
#undef JSONATA_FN
};

struct jv *jsonata_builtin_value(const struct jsonata_builtin *b)
{
    return &builtin_values[b - builtins];
}

static _Atomic(struct jsig *) sigs[NBUILTINS];

static int cmp_builtin(const void *k, const void *e)
{
    return strcmp(k, ((const struct jsonata_builtin *)e)->name);
}

const struct jsonata_builtin *jsonata_builtin_find(const char *name)
{
    return bsearch(name, builtins, NBUILTINS, sizeof(builtins[0]), cmp_builtin);
}

/*
 * Signatures are compiled on first use and kept for the life of the process (a few
 * dozen small PCRE2 patterns). Threads may race to compile one: the first to publish
 * it wins and the others drop theirs.
 */
const struct jsig *jsonata_builtin_sig(const struct jsonata_builtin *b)
{
    size_t i = (size_t)(b - builtins);
    struct jsig *sig = atomic_load(&sigs[i]), *none = NULL;
    if (sig)
        return sig;
    sig = xmalloc(sizeof(*sig));
    if (jsonata_sig_parse(NULL, b->sig_text, strlen(b->sig_text), sig, NULL))
        BUG("bad builtin signature %s", b->sig_text);
    if (atomic_compare_exchange_strong(&sigs[i], &none, sig))
        return sig;
    pcre2_code_free(sig->re);
    free(sig->p);
    free(sig);
    return none;
}

/* ---- Signature validation ---------------------------------------------------------- */

static bool class_has(const char *re, char letter)
{
    if (re[0] != '[')
        return re[0] == letter;
    for (const char *p = re + 1; *p && *p != ']'; p++)
        if (*p == letter)
            return true;
    return false;
}

_Noreturn static void sig_error(struct jx *x, const struct jsig *sig, const char *name,
                                struct jv **args, const char *types, size_t pos)
{
    char pat[32 * 28 + 4];
    size_t pl = 0, good = 0;
    pat[pl++] = '^';
    for (size_t i = 0; i < sig->n; i++) {
        pl += (size_t)sprintf(pat + pl, "%s", sig->p[i].regex);
        pat[pl] = '\0';
        int ec;
        PCRE2_SIZE eo;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, pl, 0, &ec, &eo, NULL);
        if (!re)
            break;
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
        int rc = pcre2_match(re, (PCRE2_SPTR)types, strlen(types), 0, 0, md, NULL);
        size_t end = rc >= 0 ? pcre2_get_ovector_pointer(md)[1] : 0;
        pcre2_match_data_free(md);
        pcre2_code_free(re);
        if (rc < 0)
            break;
        good = end;
    }
    (void)args;
    jsonata_throw(x, "T0410", pos,
                  "argument %zu of function %s%s%s does not match function signature",
                  good + 1, name ? "'$" : "", name ? name : "", name ? "'" : "");
}

/*
 * Matches types[pos..len) against parameters p.. of sig the way PCRE2 runs the
 * signature's regex ^(..)(..)$ (greedy or lazy quantifiers, backtracking in the same
 * order), filling the group spans ov[2p], ov[2p + 1]. Only for sig->direct.
 */
static bool sig_match(const struct jsig *sig, size_t p, const char *types, size_t len,
                      size_t pos, PCRE2_SIZE *ov)
{
    if (p == sig->n)
        return pos == len;
    const struct jsig_param *prm = &sig->p[p];
    size_t run = 0;
    while (pos + run < len && (prm->set >> (types[pos + run] - 'a') & 1u))
        run++;
    enum jsig_quant q = prm->quant;
    size_t lo = q == JQ_OPT || q == JQ_OPT_LAZY ? 0 : 1;
    size_t hi = q == JQ_PLUS || q == JQ_PLUS_LAZY ? run : run < 1 ? run : 1;
    if (hi < lo)
        return false;
    bool lazy = q == JQ_OPT_LAZY || q == JQ_PLUS_LAZY;
    for (size_t i = 0; i <= hi - lo; i++) {
        size_t k = lazy ? lo + i : hi - i;
        ov[2 * p] = pos;
        ov[2 * p + 1] = pos + k;
        if (sig_match(sig, p + 1, types, len, pos + k, ov))
            return true;
    }
    return false;
}

/* Matches the argument types against sig; the spans of parameter p at ov[2p + 2]. */
static bool sig_types_match(struct jx *x, const struct jsig *sig, const char *types,
                            size_t len, PCRE2_SIZE **ov)
{
    if (sig->direct) {
        PCRE2_SIZE *o = jsonata_alloc(x, (2 * sig->n + 2) * sizeof(*o));
        *ov = o;
        return sig_match(sig, 0, types, len, 0, o + 2);
    }
    int rc = pcre2_match(sig->re, (PCRE2_SPTR)types, len, 0, 0, jsonata_md(x), NULL);
    *ov = pcre2_get_ovector_pointer(jsonata_md(x));
    return rc >= 0;
}

struct jv **jsonata_sig_validate(struct jx *x, const struct jsig *sig, const char *name,
                                 struct jv **args, size_t nargs, struct jv *input,
                                 size_t pos, size_t *nout)
{
    char *types = jsonata_alloc(x, nargs + 1);
    for (size_t i = 0; i < nargs; i++)
        types[i] = jsonata_type_letter(args[i]);
    types[nargs] = '\0';
    PCRE2_SIZE *ov;
    if (!sig_types_match(x, sig, types, nargs, &ov))
        sig_error(x, sig, name, args, types, pos);
    size_t cap = nargs + sig->n + 1, n = 0, ai = 0;
    struct jv **out = jsonata_alloc(x, cap * sizeof(*out));
    for (size_t p = 0; p < sig->n; p++) {
        const struct jsig_param *prm = &sig->p[p];
        size_t s = ov[2 * (p + 1)], e = ov[2 * (p + 1) + 1];
        if (s == PCRE2_UNSET || s == e) {
            if (prm->context) {
                char ct = jsonata_type_letter(input);
                if (!class_has(prm->regex, ct))
                    jsonata_throw(x, "T0411", pos,
                                  "context value is not a compatible type with argument "
                                  "%zu of function %s%s",
                                  ai + 1, name ? "$" : "", name ? name : "");
                out[n++] = input;
            } else {
                out[n++] = ai < nargs ? args[ai] : NULL;
                ai++;
            }
            continue;
        }
        for (size_t k = s; k < e; k++) {
            char single = types[k];
            struct jv *arg = ai < nargs ? args[ai] : NULL;
            if (prm->type == 'a') {
                if (single == 'm') {
                    arg = NULL;
                } else {
                    bool ok = true;
                    if (prm->subtype) {
                        if (single != 'a' && !(e - s == 1 && types[s] == prm->subtype)) {
                            ok = false;
                        } else if (single == 'a' && arg->u.a.n > 0) {
                            char it = jsonata_type_letter(arg->u.a.v[0]);
                            if (it != prm->subtype)
                                ok = false;
                            for (size_t q = 1; ok && q < arg->u.a.n; q++)
                                if (jsonata_type_letter(arg->u.a.v[q]) != it)
                                    ok = false;
                        }
                    }
                    if (!ok)
                        jsonata_throw(
                            x, "T0412", pos,
                            "argument %zu of function %s%s must be an array of %s",
                            ai + 1, name ? "$" : "", name ? name : "",
                            prm->subtype == 's'   ? "strings"
                            : prm->subtype == 'n' ? "numbers"
                            : prm->subtype == 'o' ? "objects"
                            : prm->subtype == 'b' ? "booleans"
                            : prm->subtype == 'f' ? "functions"
                                                  : "values");
                    if (single != 'a') {
                        struct jv *w = jsonata_arr(x, 1);
                        jsonata_push(x, w, arg);
                        arg = w;
                    }
                }
            }
            out[n++] = arg;
            ai++;
        }
    }
    *nout = n;
    while (n < cap)
        out[n++] = NULL;
    return out;
}

/* ---- Sorting ----------------------------------------------------------------------- */

static void msort_rec(struct jx *x, struct jv **v, struct jv **tmp, size_t n,
                      bool (*after)(struct jx *, struct jv *, struct jv *, void *),
                      void *ud)
{
    if (n < 2)
        return;
    size_t mid = n / 2;
    msort_rec(x, v, tmp, mid, after, ud);
    msort_rec(x, v + mid, tmp, n - mid, after, ud);
    size_t i = 0, j = mid, k = 0;
    while (i < mid && j < n) {
        if (after(x, v[i], v[j], ud))
            tmp[k++] = v[j++];
        else
            tmp[k++] = v[i++];
    }
    while (i < mid)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

void jsonata_msort(struct jx *x, struct jv **v, size_t n,
                   bool (*after)(struct jx *, struct jv *, struct jv *, void *), void *ud)
{
    if (n < 2)
        return;
    struct jv **tmp = jsonata_alloc(x, n * sizeof(*tmp));
    msort_rec(x, v, tmp, n, after, ud);
}

/* ---- Helpers ----------------------------------------------------------------------- */

static struct jv *num(struct jx *x, double d)
{
    return jsonata_num(x, d);
}

static const char *S(const struct jv *v)
{
    return v->u.s.p;
}

static size_t L(const struct jv *v)
{
    return v->u.s.len;
}

/* JavaScript truthiness (used where JSONata tests a raw function result). */
static bool js_truthy(const struct jv *v)
{
    if (!v)
        return false;
    switch (v->t) {
    case JV_NULL:
        return false;
    case JV_BOOL:
        return v->u.b;
    case JV_NUM:
        return v->u.n != 0 && !isnan(v->u.n);
    case JV_STR:
        return v->u.s.len > 0;
    default:
        return true;
    }
}

/* Calls f with the value, and the index and array when f takes them. */
static struct jv *hof_call(struct jx *x, struct jv *f, struct jv *v, size_t i,
                           struct jv *arr, size_t pos)
{
    struct jv *args[3] = {v, num(x, (double)i), arr};
    int ar = jsonata_arity(f);
    size_t n = ar >= 3 ? 3 : ar == 2 ? 2 : 1;
    return jsonata_apply(x, f, args, n, NULL, pos);
}

static struct jv *hof_call_key(struct jx *x, struct jv *f, struct jv *v, struct jv *key,
                               struct jv *obj, size_t pos)
{
    struct jv *args[3] = {v, key, obj};
    int ar = jsonata_arity(f);
    size_t n = ar >= 3 ? 3 : ar == 2 ? 2 : 1;
    return jsonata_apply(x, f, args, n, NULL, pos);
}

/* ---- Aggregates -------------------------------------------------------------------- */

FN(fn_sum)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    double t = 0;
    for (size_t i = 0; i < a[0]->u.a.n; i++)
        t += a[0]->u.a.v[i]->u.n;
    return num(x, t);
}

FN(fn_count)
{
    UNUSED_ARGS;
    return num(x, a[0] ? (double)a[0]->u.a.n : 0);
}

static struct jv *extreme(struct jx *x, struct jv *arr, bool max)
{
    if (!arr || !arr->u.a.n)
        return NULL;
    double m = arr->u.a.v[0]->u.n;
    for (size_t i = 1; i < arr->u.a.n; i++) {
        double d = arr->u.a.v[i]->u.n;
        if (max ? d > m : d < m)
            m = d;
    }
    return num(x, m);
}

FN(fn_max)
{
    UNUSED_ARGS;
    return extreme(x, a[0], true);
}

FN(fn_min)
{
    UNUSED_ARGS;
    return extreme(x, a[0], false);
}

FN(fn_average)
{
    UNUSED_ARGS;
    if (!a[0] || !a[0]->u.a.n)
        return NULL;
    double t = 0;
    for (size_t i = 0; i < a[0]->u.a.n; i++)
        t += a[0]->u.a.v[i]->u.n;
    return num(x, t / (double)a[0]->u.a.n);
}

/* ---- Strings ----------------------------------------------------------------------- */

FN(fn_string)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    struct jv *r = jsonata_stringify(x, a[0], a[1] && a[1]->u.b);
    return r;
}

static double js_int(double d)
{
    if (isnan(d))
        return 0;
    return d < 0 ? ceil(d) : floor(d);
}

FN(fn_substring)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    const char *s = S(a[0]);
    double len = (double)jsonata_utf8_count(s, L(a[0]));
    double start = a[1] ? js_int(a[1]->u.n) : 0;
    if (len + start < 0)
        start = 0;
    double end = len;
    if (a[2]) {
        double l = js_int(a[2]->u.n);
        if (a[2]->u.n <= 0)
            return jsonata_str(x, "", 0);
        end = start >= 0 ? start + l : len + start + l;
    }
    if (start < 0)
        start += len;
    if (start < 0)
        start = 0;
    if (end < 0)
        end += len;
    if (end > len)
        end = len;
    if (start >= end)
        return jsonata_str(x, "", 0);
    size_t bs = jsonata_utf8_offset(s, L(a[0]), (size_t)start);
    size_t be = jsonata_utf8_offset(s, L(a[0]), (size_t)end);
    return jsonata_str(x, s + bs, be - bs);
}

static const char *find(const char *h, size_t hl, const char *n, size_t nl)
{
    if (nl == 0)
        return h;
    if (nl > hl)
        return NULL;
    for (size_t i = 0; i + nl <= hl; i++)
        if (h[i] == n[0] && !memcmp(h + i, n, nl))
            return h + i;
    return NULL;
}

FN(fn_substringBefore)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    if (!a[1])
        return a[0];
    const char *p = find(S(a[0]), L(a[0]), S(a[1]), L(a[1]));
    return p ? jsonata_str(x, S(a[0]), (size_t)(p - S(a[0]))) : a[0];
}

FN(fn_substringAfter)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    if (!a[1])
        return a[0];
    const char *p = find(S(a[0]), L(a[0]), S(a[1]), L(a[1]));
    if (!p)
        return a[0];
    size_t off = (size_t)(p - S(a[0])) + L(a[1]);
    return jsonata_str(x, S(a[0]) + off, L(a[0]) - off);
}

static uint32_t case_map(uint32_t c, bool upper)
{
    if (upper) {
        if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7) ||
            (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) || (c >= 0x430 && c <= 0x44F))
            return c - (c >= 0x430 ? 32 : c >= 0x3B1 ? 32 : 32);
        if (c >= 0x450 && c <= 0x45F)
            return c - 80;
        if (c == 0xFF)
            return 0x178;
        if (c >= 0x100 && c <= 0x17F && (c & 1) && c != 0x131)
            return c - 1;
        return c;
    }
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
        (c >= 0x391 && c <= 0x3A9) || (c >= 0x410 && c <= 0x42F))
        return c + 32;
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;
    if (c >= 0x100 && c <= 0x17F && !(c & 1) && c != 0x130)
        return c + 1;
    return c;
}

static struct jv *change_case(struct jx *x, struct jv *s, bool upper)
{
    if (!s)
        return NULL;
    const char *p = S(s);
    size_t len = L(s), i = 0;
    char *ascii = jsonata_alloc(x, len + 1); /* the usual case: ASCII, mapped in place */
    for (; i < len && !(p[i] & 0x80); i++)
        ascii[i] = (char)case_map((unsigned char)p[i], upper);
    if (i == len) {
        ascii[len] = '\0';
        return jsonata_str(x, ascii, len);
    }
    struct jsb b = {x, NULL, 0, 0};
    jsonata_sb_add(&b, ascii, i);
    while (i < len) {
        uint32_t cp;
        size_t k = jsonata_utf8_decode(p + i, len - i, &cp);
        if (cp == 0xFFFD) {
            jsonata_sb_add(&b, p + i, k);
        } else {
            char buf[4];
            jsonata_sb_add(&b, buf, jsonata_utf8_encode(case_map(cp, upper), buf));
        }
        i += k;
    }
    return jsonata_sb_str(&b);
}

FN(fn_lowercase)
{
    UNUSED_ARGS;
    return change_case(x, a[0], false);
}

FN(fn_uppercase)
{
    UNUSED_ARGS;
    return change_case(x, a[0], true);
}

FN(fn_length)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    return num(x, (double)jsonata_utf8_count(S(a[0]), L(a[0])));
}

FN(fn_trim)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    struct jsb b = {x, NULL, 0, 0};
    const char *p = S(a[0]);
    bool space = false;
    for (size_t i = 0; i < L(a[0]); i++) {
        char c = p[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = true;
            continue;
        }
        if (space && b.len)
            jsonata_sb_addc(&b, ' ');
        space = false;
        jsonata_sb_addc(&b, c);
    }
    return jsonata_sb_str(&b);
}

FN(fn_pad)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    const char *ch = " ";
    size_t chl = 1;
    if (!a[1])
        return a[0];
    if (a[2] && L(a[2])) {
        ch = S(a[2]);
        chl = L(a[2]);
    }
    double w = js_int(a[1]->u.n);
    double width = fabs(w);
    double have = (double)jsonata_utf8_count(S(a[0]), L(a[0]));
    if (width <= have)
        return a[0];
    if (width - have > 1e8)
        jsonata_throw(x, "U1001", pos, "$pad() width %g is too large", width);
    size_t padn = (size_t)(width - have);
    size_t chcp = jsonata_utf8_count(ch, chl);
    struct jsb pad = {x, NULL, 0, 0};
    for (size_t i = 0; i < padn;) {
        for (size_t k = 0; k < chl && i < padn;) {
            uint32_t cp;
            size_t used = jsonata_utf8_decode(ch + k, chl - k, &cp);
            jsonata_sb_add(&pad, ch + k, used);
            k += used;
            i++;
        }
        (void)chcp;
    }
    struct jsb b = {x, NULL, 0, 0};
    if (w < 0) {
        jsonata_sb_add(&b, pad.p, pad.len);
        jsonata_sb_add(&b, S(a[0]), L(a[0]));
    } else {
        jsonata_sb_add(&b, S(a[0]), L(a[0]));
        jsonata_sb_add(&b, pad.p, pad.len);
    }
    return jsonata_sb_str(&b);
}

/* ---- Regex-aware string functions -------------------------------------------------- */

/*
 * Iterates the matches of a regex the way JSONata does: after the first match the
 * search resumes at its end, stops once that end reaches the string's end, and an empty
 * match after the first is an error (D1004).
 */
/* Reads a match object returned by a custom matcher function into *m. */
static bool custom_match(struct jx *x, struct jv *obj, const char *s, size_t len,
                         struct jsonata_match *m)
{
    if (!obj)
        return false;
    struct jv *st = obj->t == JV_OBJ ? jsonata_obj_get(x, obj, "start", 5) : NULL;
    struct jv *en = obj->t == JV_OBJ ? jsonata_obj_get(x, obj, "end", 3) : NULL;
    struct jv *g = obj->t == JV_OBJ ? jsonata_obj_get(x, obj, "groups", 6) : NULL;
    if (!jsonata_is_num(st) || !jsonata_is_num(en) || st->u.n < 0 || en->u.n < st->u.n)
        jsonata_throw(x, "T1010", 0,
                      "the matcher function did not return the correct object structure");
    double slen = (double)len;
    m->start = jsonata_utf8_offset(s, len, (size_t)(st->u.n < slen ? st->u.n : slen));
    m->end = jsonata_utf8_offset(s, len, (size_t)(en->u.n < slen ? en->u.n : slen));
    m->ngroups = 0;
    (void)x;
    if (g && g->t == JV_ARR) {
        for (size_t i = 0; i < g->u.a.n && i < 20; i++) {
            struct jv *gv = g->u.a.v[i];
            if (gv && gv->t == JV_STR && gv->u.s.p >= s && gv->u.s.p <= s + len) {
                m->gs[i] = (size_t)(gv->u.s.p - s);
                m->ge[i] = m->gs[i] + gv->u.s.len;
            } else {
                m->gs[i] = m->ge[i] = SIZE_MAX;
            }
            m->ngroups++;
        }
    }
    return true;
}

/*
 * Iterates the matches of a regex the way JSONata does: after the first match the
 * search resumes at its end, stops once that end reaches the string's end, and an empty
 * match after the first is an error (D1004). Any other function is a custom matcher:
 * called with the string, it returns {match, start, end, groups, next}.
 */
static bool next_match(struct jx *x, struct jv *re, const char *s, size_t len,
                       struct jsonata_match *m, bool first)
{
    if (re->t == JV_FUNC && re->u.fn->k != JF_REGEX) {
        struct jv *obj;
        if (first) {
            struct jv *arg = jsonata_str(x, s, len);
            obj = jsonata_apply(x, re, &arg, 1, NULL, 0);
        } else {
            struct jv *nx = x->last_match && x->last_match->t == JV_OBJ
                                ? jsonata_obj_get(x, x->last_match, "next", 4)
                                : NULL;
            if (!nx)
                return false;
            obj = jsonata_apply(x, nx, NULL, 0, NULL, 0);
        }
        x->last_match = obj;
        return custom_match(x, obj, s, len, m);
    }
    size_t from = 0;
    if (!first) {
        from = m->end;
        if (from >= len)
            return false;
    }
    if (!jsonata_regex_exec(x, re, s, len, from, m))
        return false;
    if (!first && m->start == m->end)
        jsonata_throw(x, "D1004", re->u.fn->node->pos,
                      "regular expression matches zero length string");
    return true;
}

static struct jv *match_object(struct jx *x, const char *s, const struct jsonata_match *m)
{
    struct jv *o = jsonata_obj(x);
    jsonata_obj_set(x, o, "match", 5, jsonata_str(x, s + m->start, m->end - m->start));
    jsonata_obj_set(x, o, "index", 5, num(x, (double)jsonata_utf8_count(s, m->start)));
    struct jv *g = jsonata_arr(x, m->ngroups);
    for (size_t i = 0; i < m->ngroups; i++)
        jsonata_push(x, g,
                     m->gs[i] == SIZE_MAX
                         ? jsonata_str(x, "", 0)
                         : jsonata_str(x, s + m->gs[i], m->ge[i] - m->gs[i]));
    jsonata_obj_set(x, o, "groups", 6, g);
    return o;
}

FN(fn_match)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    if (a[2] && a[2]->u.n < 0)
        jsonata_throw(x, "D3040", pos,
                      "third argument of the match function must evaluate to a positive "
                      "number");
    struct jv *r = jsonata_seq(x, 0);
    struct jsonata_match m;
    double limit = a[2] ? a[2]->u.n : INFINITY;
    bool first = true;
    while ((double)r->u.a.n < limit && next_match(x, a[1], S(a[0]), L(a[0]), &m, first)) {
        jsonata_push(x, r, match_object(x, S(a[0]), &m));
        first = false;
    }
    return r;
}

FN(fn_contains)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    if (!a[1])
        return NULL;
    if (a[1]->t == JV_STR)
        return jsonata_bool(find(S(a[0]), L(a[0]), S(a[1]), L(a[1])) != NULL);
    struct jsonata_match m;
    return jsonata_bool(next_match(x, a[1], S(a[0]), L(a[0]), &m, true));
}

/* Expands $0, $1.. and $$ in a replacement string. */
static void substitute(struct jsb *b, const struct jv *rep, const char *s,
                       const struct jsonata_match *m)
{
    const char *r = S(rep);
    size_t rl = L(rep), i = 0;
    while (i < rl) {
        const char *d = memchr(r + i, '$', rl - i);
        if (!d) {
            jsonata_sb_add(b, r + i, rl - i);
            break;
        }
        size_t di = (size_t)(d - r);
        jsonata_sb_add(b, r + i, di - i);
        i = di + 1;
        if (i < rl && r[i] == '$') {
            jsonata_sb_addc(b, '$');
            i++;
        } else if (i < rl && r[i] == '0') {
            jsonata_sb_add(b, s + m->start, m->end - m->start);
            i++;
        } else {
            size_t ng = m->ngroups;
            size_t maxd = ng == 0 ? 1 : (size_t)floor(log10((double)ng)) + 1;
            size_t nd = 0, idx = 0;
            while (nd < maxd && i + nd < rl && r[i + nd] >= '0' && r[i + nd] <= '9') {
                idx = idx * 10 + (size_t)(r[i + nd] - '0');
                nd++;
            }
            if (maxd > 1 && nd == maxd && idx > ng) {
                idx /= 10;
                nd--;
            }
            if (nd == 0) {
                jsonata_sb_addc(b, '$');
                continue;
            }
            if (ng > 0 && idx >= 1 && idx <= ng && m->gs[idx - 1] != SIZE_MAX)
                jsonata_sb_add(b, s + m->gs[idx - 1], m->ge[idx - 1] - m->gs[idx - 1]);
            /* JavaScript skips the digits of the parsed number, without leading zeros */
            char tmp[24];
            size_t dl = (size_t)snprintf(tmp, sizeof(tmp), "%zu", idx);
            i += dl;
        }
    }
}

FN(fn_replace)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    if (!a[1])
        jsonata_throw(x, "T0410", pos, "argument 2 of function '$replace' is missing");
    if (a[1]->t == JV_STR && L(a[1]) == 0)
        jsonata_throw(
            x, "D3010", pos,
            "second argument of the replace function cannot be an empty string");
    if (a[3] && a[3]->u.n < 0)
        jsonata_throw(
            x, "D3011", pos,
            "fourth argument of the replace function must evaluate to a positive "
            "number");
    if (!a[2])
        jsonata_throw(x, "T0410", pos, "argument 3 of function '$replace' is missing");
    double limit = a[3] ? a[3]->u.n : INFINITY;
    const char *s = S(a[0]);
    size_t len = L(a[0]), at = 0;
    struct jsb b = {x, NULL, 0, 0};
    double count = 0;
    if (a[1]->t == JV_STR) {
        const char *p;
        while (count < limit && (p = find(s + at, len - at, S(a[1]), L(a[1])))) {
            size_t idx = (size_t)(p - s);
            jsonata_sb_add(&b, s + at, idx - at);
            if (a[2]->t == JV_STR)
                jsonata_sb_add(&b, S(a[2]), L(a[2]));
            at = idx + L(a[1]);
            count++;
        }
        jsonata_sb_add(&b, s + at, len - at);
        return jsonata_sb_str(&b);
    }
    struct jsonata_match m;
    bool first = true;
    while (count < limit && next_match(x, a[1], s, len, &m, first)) {
        first = false;
        jsonata_sb_add(&b, s + at, m.start - at);
        if (a[2]->t == JV_STR) {
            substitute(&b, a[2], s, &m);
        } else {
            struct jv *mo = match_object(x, s, &m);
            struct jv *rv = jsonata_apply(x, a[2], &mo, 1, NULL, pos);
            if (!rv || rv->t != JV_STR)
                jsonata_throw(x, "D3012", pos,
                              "attempted to replace a matched string with a non-string "
                              "value");
            jsonata_sb_add(&b, S(rv), L(rv));
        }
        at = m.end;
        count++;
    }
    jsonata_sb_add(&b, s + at, len - at);
    return jsonata_sb_str(&b);
}

FN(fn_split)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    if (a[2] && a[2]->u.n < 0)
        jsonata_throw(x, "D3020", pos,
                      "third argument of the split function must evaluate to a positive "
                      "number");
    struct jv *r = jsonata_arr(x, 0);
    double limit = a[2] ? floor(a[2]->u.n) : INFINITY;
    const char *s = S(a[0]);
    size_t len = L(a[0]);
    if (limit == 0)
        return r;
    if (!a[1]) {
        jsonata_push(x, r, a[0]);
        return r;
    }
    if (a[1]->t == JV_STR) {
        size_t sl = L(a[1]);
        if (sl == 0) {
            for (size_t i = 0; i < len && (double)r->u.a.n < limit;) {
                uint32_t cp;
                size_t k = jsonata_utf8_decode(s + i, len - i, &cp);
                jsonata_push(x, r, jsonata_str(x, s + i, k));
                i += k;
            }
            return r;
        }
        size_t at = 0;
        const char *p;
        while ((double)r->u.a.n < limit && (p = find(s + at, len - at, S(a[1]), sl))) {
            jsonata_push(x, r, jsonata_str(x, s + at, (size_t)(p - s) - at));
            at = (size_t)(p - s) + sl;
        }
        if ((double)r->u.a.n < limit)
            jsonata_push(x, r, jsonata_str(x, s + at, len - at));
        return r;
    }
    struct jsonata_match m;
    size_t at = 0;
    bool first = true;
    while ((double)r->u.a.n < limit && next_match(x, a[1], s, len, &m, first)) {
        first = false;
        jsonata_push(x, r, jsonata_str(x, s + at, m.start - at));
        at = m.end;
    }
    if ((double)r->u.a.n < limit)
        jsonata_push(x, r, jsonata_str(x, s + at, len - at));
    return r;
}

FN(fn_join)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    struct jsb b = {x, NULL, 0, 0};
    for (size_t i = 0; i < a[0]->u.a.n; i++) {
        if (i && a[1])
            jsonata_sb_add(&b, S(a[1]), L(a[1]));
        jsonata_sb_add(&b, S(a[0]->u.a.v[i]), L(a[0]->u.a.v[i]));
    }
    return jsonata_sb_str(&b);
}

/* ---- Formatting (jsonata_format.c, jsonata_datetime.c) ----------------------------- */

FN(fn_formatNumber)
{
    UNUSED_ARGS;
    if (!a[0] || !a[1])
        return NULL;
    return jsonata_format_number(x, a[0]->u.n, S(a[1]), L(a[1]), a[2], pos);
}

FN(fn_formatBase)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    return jsonata_format_base(x, a[0]->u.n, a[1] ? a[1]->u.n : 10, pos);
}

FN(fn_formatInteger)
{
    UNUSED_ARGS;
    if (!a[0] || !a[1])
        return NULL;
    return jsonata_format_integer(x, a[0]->u.n, S(a[1]), L(a[1]), pos);
}

FN(fn_parseInteger)
{
    UNUSED_ARGS;
    if (!a[0] || !a[1])
        return NULL;
    return jsonata_parse_integer(x, S(a[0]), L(a[0]), S(a[1]), L(a[1]), pos);
}

FN(fn_fromMillis)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    return jsonata_from_millis(x, a[0]->u.n, a[1], a[2], pos);
}

FN(fn_toMillis)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    return jsonata_to_millis(x, S(a[0]), L(a[0]), a[1], pos);
}

FN(fn_now)
{
    UNUSED_ARGS;
    return jsonata_from_millis(x, (double)x->now_ms, a[0], a[1], pos);
}

FN(fn_millis)
{
    UNUSED_ARGS;
    return num(x, (double)x->now_ms);
}

/* ---- Numbers ----------------------------------------------------------------------- */

static bool decimal_text(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && s[i] == '-')
        i++;
    size_t d = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == d)
        return false;
    if (i < n && s[i] == '.') {
        size_t f = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == f)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e)
            return false;
    }
    return i == n;
}

static bool radix_text(const char *s, size_t n, double *out)
{
    if (n < 3 || s[0] != '0')
        return false;
    int base = s[1] == 'x' || s[1] == 'X'   ? 16
               : s[1] == 'o' || s[1] == 'O' ? 8
               : s[1] == 'b' || s[1] == 'B' ? 2
                                            : 0;
    if (!base)
        return false;
    double v = 0;
    for (size_t i = 2; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : 99;
        if (d >= base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

FN(fn_number)
{
    UNUSED_ARGS;
    struct jv *v = a[0];
    if (!v)
        return NULL;
    if (v->t == JV_NUM)
        return v;
    if (v->t == JV_BOOL)
        return num(x, v->u.b ? 1 : 0);
    if (v->t == JV_STR) {
        double d;
        if (decimal_text(S(v), L(v))) {
            char *t = jsonata_strndup(x, S(v), L(v));
            d = strtod(t, NULL);
            if (isfinite(d))
                return num(x, d);
        } else if (radix_text(S(v), L(v), &d)) {
            return num(x, d);
        }
    }
    jsonata_throw(x, "D3030", pos, "unable to cast value to a number: %s",
                  jsonata_describe(x, v));
}

FN(fn_floor)
{
    UNUSED_ARGS;
    return a[0] ? num(x, floor(a[0]->u.n)) : NULL;
}

FN(fn_ceil)
{
    UNUSED_ARGS;
    return a[0] ? num(x, ceil(a[0]->u.n)) : NULL;
}

FN(fn_abs)
{
    UNUSED_ARGS;
    return a[0] ? num(x, fabs(a[0]->u.n)) : NULL;
}

FN(fn_sqrt)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    if (a[0]->u.n < 0)
        jsonata_throw(x, "D3060", pos,
                      "the sqrt function cannot be applied to a negative "
                      "number: %s",
                      jsonata_describe(x, a[0]));
    return num(x, sqrt(a[0]->u.n));
}

FN(fn_power)
{
    UNUSED_ARGS;
    if (!a[0] || !a[1])
        return NULL;
    double r = pow(a[0]->u.n, a[1]->u.n);
    if (!isfinite(r))
        jsonata_throw(x, "D3061", pos,
                      "the power function has resulted in a value that cannot be "
                      "represented as a JSON number");
    return num(x, r);
}

/* Shifts the decimal point of d by e places through its text, as JSONata does. */
static double shift10(double d, int e)
{
    char buf[48], out[64];
    jsonata_numfmt(d, buf);
    char *ep = strchr(buf, 'e');
    int exp = 0;
    if (ep) {
        exp = atoi(ep + 1);
        *ep = '\0';
    }
    snprintf(out, sizeof(out), "%se%d", buf, exp + e);
    return strtod(out, NULL);
}

FN(fn_round)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    double v = a[0]->u.n;
    double pd = a[1] ? js_int(a[1]->u.n) : 0;
    int prec = pd > 400 ? 400 : pd < -400 ? -400 : (int)pd;
    if (prec)
        v = shift10(v, prec);
    double r = floor(v + 0.5);
    if (fabs(r - v) == 0.5 && fabs(fmod(r, 2)) == 1)
        r -= 1;
    if (prec)
        r = shift10(r, -prec);
    if (r == 0)
        r = 0;
    return num(x, r);
}

FN(fn_random)
{
    UNUSED_ARGS;
    uint64_t bits;
    if (a[0]) {
        uint64_t s;
        memcpy(&s, &a[0]->u.n, sizeof(s));
        s ^= 0x9E3779B97F4A7C15ULL;
        s = (s ^ (s >> 30)) * 0xBF58476D1CE4E5B9ULL;
        s = (s ^ (s >> 27)) * 0x94D049BB133111EBULL;
        bits = s ^ (s >> 31);
    } else {
        bits = jsonata_rand64(x);
    }
    return num(x, (double)(bits >> 11) / 9007199254740992.0);
}

/* ---- Booleans ---------------------------------------------------------------------- */

FN(fn_boolean)
{
    UNUSED_ARGS;
    bool def;
    bool b = jsonata_truthy(x, a[0], &def);
    return def ? jsonata_bool(b) : NULL;
}

FN(fn_not)
{
    UNUSED_ARGS;
    bool def;
    bool b = jsonata_truthy(x, a[0], &def);
    return def ? jsonata_bool(!b) : NULL;
}

FN(fn_exists)
{
    UNUSED_ARGS;
    return jsonata_bool(a[0] != NULL);
}

/* ---- Higher-order functions -------------------------------------------------------- */

FN(fn_map)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    struct jv *r = jsonata_seq(x, a[0]->u.a.n);
    for (size_t i = 0; i < a[0]->u.a.n; i++) {
        struct jv *v = hof_call(x, a[1], a[0]->u.a.v[i], i, a[0], pos);
        if (v)
            jsonata_push(x, r, v);
    }
    return r;
}

FN(fn_filter)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    struct jv *r = jsonata_seq(x, 0);
    for (size_t i = 0; i < a[0]->u.a.n; i++) {
        struct jv *v = hof_call(x, a[1], a[0]->u.a.v[i], i, a[0], pos);
        if (jsonata_truthy(x, v, NULL))
            jsonata_push(x, r, a[0]->u.a.v[i]);
    }
    return r;
}

FN(fn_single)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    struct jv *found = NULL;
    bool have = false;
    for (size_t i = 0; i < a[0]->u.a.n; i++) {
        bool ok = true;
        if (a[1])
            ok = jsonata_truthy(x, hof_call(x, a[1], a[0]->u.a.v[i], i, a[0], pos), NULL);
        if (!ok)
            continue;
        if (have)
            jsonata_throw(x, "D3138", pos,
                          "the $single() function expected exactly 1 matching result; "
                          "instead it matched more");
        found = a[0]->u.a.v[i];
        have = true;
    }
    if (!have)
        jsonata_throw(
            x, "D3139", pos,
            "the $single() function expected exactly 1 matching result; instead "
            "it matched 0");
    return found;
}

FN(fn_reduce)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    int ar = jsonata_arity(a[1]);
    if (ar < 2)
        jsonata_throw(x, "D3050", pos,
                      "the second argument of reduce function must be a function with at "
                      "least two arguments");
    size_t i = 0;
    struct jv *acc = a[2];
    if (!acc && a[0]->u.a.n) {
        acc = a[0]->u.a.v[0];
        i = 1;
    }
    for (; i < a[0]->u.a.n; i++) {
        struct jv *args[4] = {acc, a[0]->u.a.v[i], num(x, (double)i), a[0]};
        acc = jsonata_apply(x, a[1], args, ar >= 4 ? 4 : ar == 3 ? 3 : 2, NULL, pos);
    }
    return acc;
}

FN(fn_sift)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    struct jv *r = jsonata_obj(x);
    const struct jobj *o = jsonata_o(x, a[0]);
    for (size_t i = 0; i < o->n; i++) {
        struct jkv *e = &o->kv[i];
        struct jv *key = jsonata_str(x, e->k, e->klen);
        if (jsonata_truthy(x, hof_call_key(x, a[1], e->v, key, a[0], pos), NULL))
            jsonata_obj_set(x, r, e->k, e->klen, e->v);
    }
    return r->u.o.p->n ? r : NULL;
}

FN(fn_each)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    struct jv *r = jsonata_seq(x, 0);
    const struct jobj *o = jsonata_o(x, a[0]);
    for (size_t i = 0; i < o->n; i++) {
        struct jkv *e = &o->kv[i];
        struct jv *v =
            hof_call_key(x, a[1], e->v, jsonata_str(x, e->k, e->klen), a[0], pos);
        if (v)
            jsonata_push(x, r, v);
    }
    return r;
}

FN(fn_zip)
{
    UNUSED_ARGS;
    size_t len = SIZE_MAX;
    for (size_t i = 0; i < na; i++) {
        size_t l = a[i] ? a[i]->u.a.n : 0;
        if (l < len)
            len = l;
    }
    if (na == 0)
        len = 0;
    struct jv *r = jsonata_arr(x, len);
    for (size_t k = 0; k < len; k++) {
        struct jv *t = jsonata_arr(x, na);
        for (size_t i = 0; i < na; i++)
            jsonata_push(x, t, a[i]->u.a.v[k]);
        jsonata_push(x, r, t);
    }
    return r;
}

struct cmp_ud {
    struct jv *fn;
    size_t pos;
};

static bool after_user(struct jx *x, struct jv *l, struct jv *r, void *ud)
{
    struct cmp_ud *c = ud;
    struct jv *args[2] = {l, r};
    return js_truthy(jsonata_apply(x, c->fn, args, 2, NULL, c->pos));
}

static bool after_natural(struct jx *x, struct jv *l, struct jv *r, void *ud)
{
    (void)x;
    (void)ud;
    if (l->t == JV_NUM)
        return l->u.n > r->u.n;
    size_t m = l->u.s.len < r->u.s.len ? l->u.s.len : r->u.s.len;
    int c = memcmp(l->u.s.p, r->u.s.p, m);
    return c > 0 || (c == 0 && l->u.s.len > r->u.s.len);
}

FN(fn_sort)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    if (a[0]->u.a.n <= 1)
        return a[0];
    struct jv *r = jsonata_arr(x, a[0]->u.a.n);
    memcpy(r->u.a.v, a[0]->u.a.v, a[0]->u.a.n * sizeof(struct jv *));
    r->u.a.n = a[0]->u.a.n;
    if (a[1]) {
        struct cmp_ud ud = {a[1], pos};
        jsonata_msort(x, r->u.a.v, r->u.a.n, after_user, &ud);
        return r;
    }
    char t = jsonata_type_letter(r->u.a.v[0]);
    for (size_t i = 0; i < r->u.a.n; i++)
        if ((t != 'n' && t != 's') || jsonata_type_letter(r->u.a.v[i]) != t)
            jsonata_throw(
                x, "D3070", pos,
                "the single argument form of the sort function can only be "
                "applied to an array of strings or an array of numbers; use the "
                "second argument to specify a comparison function");
    jsonata_msort(x, r->u.a.v, r->u.a.n, after_natural, NULL);
    return r;
}

/* ---- Arrays and objects ------------------------------------------------------------ */

FN(fn_append)
{
    UNUSED_ARGS;
    return jsonata_append(x, a[0], a[1]);
}

FN(fn_reverse)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    if (a[0]->u.a.n <= 1)
        return a[0];
    size_t n = a[0]->u.a.n;
    struct jv *r = jsonata_arr(x, n);
    for (size_t i = 0; i < n; i++)
        r->u.a.v[i] = a[0]->u.a.v[n - 1 - i];
    r->u.a.n = n;
    return r;
}

FN(fn_shuffle)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    if (a[0]->u.a.n <= 1)
        return a[0];
    size_t n = a[0]->u.a.n;
    struct jv *r = jsonata_arr(x, n);
    memcpy(r->u.a.v, a[0]->u.a.v, n * sizeof(struct jv *));
    r->u.a.n = n;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(jsonata_rand64(x) % (i + 1));
        struct jv *t = r->u.a.v[i];
        r->u.a.v[i] = r->u.a.v[j];
        r->u.a.v[j] = t;
    }
    return r;
}

FN(fn_distinct)
{
    UNUSED_ARGS;
    struct jv *v = a[0];
    if (!v)
        return NULL;
    if (v->t != JV_ARR || v->u.a.n <= 1)
        return v;
    struct jv *r = (v->f & JVF_SEQ) ? jsonata_seq(x, 0) : jsonata_arr(x, 0);
    for (size_t i = 0; i < v->u.a.n; i++) {
        bool dup = false;
        for (size_t j = 0; j < r->u.a.n && !dup; j++)
            dup = jsonata_deep_equal(x, v->u.a.v[i], r->u.a.v[j]);
        if (!dup)
            jsonata_push(x, r, v->u.a.v[i]);
    }
    return r;
}

static void too_deep(struct jx *x, int depth)
{
    if (depth > JSONATA_MAX_NESTING)
        jsonata_throw(x, "U1001", 0, "the value is nested more than %d levels deep",
                      JSONATA_MAX_NESTING);
}

static void keys_into(struct jx *x, struct jv *v, struct jv *seen, struct jv *out,
                      int depth)
{
    if (!v)
        return;
    too_deep(x, depth);
    if (v->t == JV_ARR) {
        for (size_t i = 0; i < v->u.a.n; i++)
            keys_into(x, v->u.a.v[i], seen, out, depth + 1);
        return;
    }
    if (v->t != JV_OBJ)
        return;
    const struct jobj *o = jsonata_o(x, v);
    for (size_t i = 0; i < o->n; i++) {
        struct jkv *e = &o->kv[i];
        if (jsonata_obj_get(x, seen, e->k, e->klen))
            continue;
        jsonata_obj_set(x, seen, e->k, e->klen, &jsonata_true);
        jsonata_push(x, out, jsonata_str(x, e->k, e->klen));
    }
}

FN(fn_keys)
{
    UNUSED_ARGS;
    struct jv *r = jsonata_seq(x, 0);
    keys_into(x, a[0], jsonata_obj(x), r, 0);
    return r;
}

static struct jv *lookup_key(struct jx *x, struct jv *v, const char *k, size_t kl,
                             int depth)
{
    if (!v)
        return NULL;
    too_deep(x, depth);
    if (v->t == JV_ARR) {
        struct jv *r = jsonata_seq(x, 0);
        for (size_t i = 0; i < v->u.a.n; i++) {
            struct jv *e = lookup_key(x, v->u.a.v[i], k, kl, depth + 1);
            if (e && e->t == JV_ARR)
                for (size_t j = 0; j < e->u.a.n; j++)
                    jsonata_push(x, r, e->u.a.v[j]);
            else if (e)
                jsonata_push(x, r, e);
        }
        return r;
    }
    return v->t == JV_OBJ ? jsonata_obj_get(x, v, k, kl) : NULL;
}

FN(fn_lookup)
{
    UNUSED_ARGS;
    if (!a[1])
        return NULL;
    return lookup_key(x, a[0], S(a[1]), L(a[1]), 0);
}

static struct jv *spread(struct jx *x, struct jv *v, int depth)
{
    too_deep(x, depth);
    if (v && v->t == JV_ARR) {
        struct jv *r = jsonata_seq(x, 0);
        for (size_t i = 0; i < v->u.a.n; i++)
            r = jsonata_append(x, r, spread(x, v->u.a.v[i], depth + 1));
        r->f |= JVF_SEQ;
        return r;
    }
    if (v && v->t == JV_OBJ) {
        const struct jobj *vo = jsonata_o(x, v);
        struct jv *r = jsonata_seq(x, vo->n);
        for (size_t i = 0; i < vo->n; i++) {
            struct jv *o = jsonata_obj(x);
            jsonata_obj_set(x, o, vo->kv[i].k, vo->kv[i].klen, vo->kv[i].v);
            jsonata_push(x, r, o);
        }
        return r;
    }
    return v;
}

FN(fn_spread)
{
    UNUSED_ARGS;
    return spread(x, a[0], 0);
}

FN(fn_merge)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    struct jv *r = jsonata_obj(x);
    for (size_t i = 0; i < a[0]->u.a.n; i++) {
        const struct jobj *o = jsonata_o(x, a[0]->u.a.v[i]);
        for (size_t k = 0; k < o->n; k++)
            jsonata_obj_set(x, r, o->kv[k].k, o->kv[k].klen, o->kv[k].v);
    }
    return r;
}

FN(fn_clone)
{
    UNUSED_ARGS;
    return jsonata_deep_clone(x, a[0]);
}

FN(fn_type)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    return jsonata_cstr(x, jsonata_type_name(a[0]));
}

FN(fn_error)
{
    UNUSED_ARGS;
    if (a[0])
        jsonata_throw(x, "D3137", pos, "%.*s", (int)L(a[0]), S(a[0]));
    jsonata_throw(x, "D3137", pos, "$error() function evaluated");
}

FN(fn_assert)
{
    UNUSED_ARGS;
    if (!a[0] || !a[0]->u.b) {
        if (a[1])
            jsonata_throw(x, "D3141", pos, "%.*s", (int)L(a[1]), S(a[1]));
        jsonata_throw(x, "D3141", pos, "$assert() statement failed");
    }
    return NULL;
}

FN(fn_eval)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    struct jsonata_err e;
    struct jsonata *j = jsonata_compile(S(a[0]), L(a[0]), &e);
    if (!j)
        jsonata_throw(x, "D3120", pos,
                      "syntax error in expression passed to $eval: %s: %s", e.code,
                      e.msg);
    VEC_GROW(x->subs, x->nsubs + 1, x->capsubs);
    x->subs[x->nsubs++] = j;
    jmp_buf saved;
    memcpy(saved, x->jb, sizeof(saved));
    struct jframe *volatile env = x->cur_env;
    if (setjmp(x->jb)) {
        memcpy(x->jb, saved, sizeof(saved));
        char msg[sizeof(x->err->msg)] = "";
        if (x->err)
            snprintf(msg, sizeof(msg), "%.7s: %.200s", x->err->code, x->err->msg);
        jsonata_throw(x, "D3121", pos,
                      "dynamic error evaluating the expression passed to "
                      "$eval: %s",
                      msg);
    }
    struct jv *r = jsonata_eval_sub(x, j, a[1] ? a[1] : in, env);
    memcpy(x->jb, saved, sizeof(saved));
    return r;
}

/* ---- Encodings --------------------------------------------------------------------- */

static const char B64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

FN(fn_base64encode)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    /* JavaScript's btoa over the string's characters taken as bytes (latin-1) */
    size_t n = 0;
    unsigned char *bytes = jsonata_alloc(x, L(a[0]) + 1);
    for (size_t i = 0; i < L(a[0]);) {
        uint32_t cp;
        i += jsonata_utf8_decode(S(a[0]) + i, L(a[0]) - i, &cp);
        bytes[n++] = (unsigned char)(cp & 0xFF);
    }
    struct jsb b = {x, NULL, 0, 0};
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)bytes[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)bytes[i + 1] << 8;
        if (i + 2 < n)
            v |= bytes[i + 2];
        jsonata_sb_addc(&b, B64[(v >> 18) & 63]);
        jsonata_sb_addc(&b, B64[(v >> 12) & 63]);
        jsonata_sb_addc(&b, i + 1 < n ? B64[(v >> 6) & 63] : '=');
        jsonata_sb_addc(&b, i + 2 < n ? B64[v & 63] : '=');
    }
    return jsonata_sb_str(&b);
}

FN(fn_base64decode)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    struct jsb b = {x, NULL, 0, 0};
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < L(a[0]); i++) {
        const char *p = strchr(B64, S(a[0])[i]);
        if (!p || !S(a[0])[i])
            continue;
        acc = (acc << 6) | (uint32_t)(p - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            char buf[4];
            jsonata_sb_add(&b, buf, jsonata_utf8_encode((acc >> bits) & 0xFF, buf));
        }
    }
    return jsonata_sb_str(&b);
}

static struct jv *url_encode(struct jx *x, struct jv *s, const char *keep, const char *fn,
                             size_t pos)
{
    if (!s)
        return NULL;
    struct jsb b = {x, NULL, 0, 0};
    for (size_t i = 0; i < L(s);) {
        uint32_t cp;
        size_t k = jsonata_utf8_decode(S(s) + i, L(s) - i, &cp);
        if ((cp >= 0xD800 && cp < 0xE000) || (cp == 0xFFFD && k == 1))
            jsonata_throw(x, "D3140", pos, "malformed URL passed to $%s(): %s", fn,
                          jsonata_describe(x, s));
        unsigned char c = (unsigned char)S(s)[i];
        if (k == 1 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       (c >= '0' && c <= '9') || strchr(keep, c))) {
            jsonata_sb_addc(&b, (char)c);
        } else {
            for (size_t q = 0; q < k; q++) {
                char hex[4];
                snprintf(hex, sizeof(hex), "%%%02X", (unsigned char)S(s)[i + q]);
                jsonata_sb_add(&b, hex, 3);
            }
        }
        i += k;
    }
    return jsonata_sb_str(&b);
}

FN(fn_encodeUrlComponent)
{
    UNUSED_ARGS;
    return url_encode(x, a[0], "-_.!~*'()", "encodeUrlComponent", pos);
}

FN(fn_encodeUrl)
{
    UNUSED_ARGS;
    return url_encode(x, a[0], "-_.!~*'();/?:@&=+$,#", "encodeUrl", pos);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static struct jv *url_decode(struct jx *x, struct jv *s, const char *reserved,
                             const char *fn, size_t pos)
{
    if (!s)
        return NULL;
    struct jsb b = {x, NULL, 0, 0};
    const char *p = S(s);
    size_t n = L(s);
    for (size_t i = 0; i < n;) {
        if (p[i] != '%') {
            jsonata_sb_addc(&b, p[i++]);
            continue;
        }
        unsigned char bytes[4];
        size_t nb = 0, need = 1, start = i;
        while (nb < need) {
            if (i + 2 >= n || p[i] != '%' || hexval(p[i + 1]) < 0 || hexval(p[i + 2]) < 0)
                goto bad;
            unsigned char c = (unsigned char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            if (nb == 0) {
                need = c < 0x80                ? 1
                       : c >= 0xF0 && c < 0xF8 ? 4
                       : c >= 0xE0             ? 3
                       : c >= 0xC0             ? 2
                                               : 0;
                if (!need)
                    goto bad;
            } else if ((c & 0xC0) != 0x80) {
                goto bad;
            }
            bytes[nb++] = c;
            i += 3;
        }
        uint32_t cp;
        size_t used = jsonata_utf8_decode((const char *)bytes, nb, &cp);
        if (used != nb || (cp == 0xFFFD && nb == 1 && bytes[0] >= 0x80) ||
            (cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF || (nb == 2 && cp < 0x80) ||
            (nb == 3 && cp < 0x800) || (nb == 4 && cp < 0x10000))
            goto bad;
        if (nb == 1 && strchr(reserved, bytes[0]) && bytes[0])
            jsonata_sb_add(&b, p + start, 3);
        else
            jsonata_sb_add(&b, (const char *)bytes, nb);
    }
    return jsonata_sb_str(&b);
bad:
    jsonata_throw(x, "D3140", pos, "malformed URL passed to $%s(): %s", fn,
                  jsonata_describe(x, s));
}

FN(fn_decodeUrlComponent)
{
    UNUSED_ARGS;
    return url_decode(x, a[0], "", "decodeUrlComponent", pos);
}

FN(fn_decodeUrl)
{
    UNUSED_ARGS;
    return url_decode(x, a[0], ";/?:@&=+$,#", "decodeUrl", pos);
}

/* ---- Step Functions additions ------------------------------------------------------ */

FN(fn_partition)
{
    UNUSED_ARGS;
    if (!a[0] || !a[1])
        return NULL;
    double size = js_int(a[1]->u.n);
    if (size < 1 || !a[0]->u.a.n)
        return NULL;
    size_t sz = size > (double)a[0]->u.a.n ? a[0]->u.a.n : (size_t)size;
    struct jv *r = jsonata_arr(x, 0);
    for (size_t i = 0; i < a[0]->u.a.n; i += sz) {
        size_t n = a[0]->u.a.n - i < sz ? a[0]->u.a.n - i : sz;
        struct jv *chunk = jsonata_arr(x, n);
        memcpy(chunk->u.a.v, a[0]->u.a.v + i, n * sizeof(struct jv *));
        chunk->u.a.n = n;
        jsonata_push(x, r, chunk);
    }
    r->f |= JVF_CONS;
    return r;
}

FN(fn_range)
{
    UNUSED_ARGS;
    if (!a[0] || !a[1] || !a[2])
        return NULL;
    double s = js_int(a[0]->u.n), e = js_int(a[1]->u.n), st = js_int(a[2]->u.n);
    if (!isfinite(s) || !isfinite(e) || !isfinite(st) || st == 0 || (e > s && st < 0) ||
        (e < s && st > 0))
        return NULL;
    double cnt = floor((e - s) / st) + 1;
    if (cnt > RANGE_LIMIT)
        jsonata_throw(x, "D2014", pos,
                      "the $range() function would produce more than %d "
                      "elements",
                      (int)RANGE_LIMIT);
    if (cnt == 1)
        return num(x, s);
    struct jv *r = jsonata_arr(x, (size_t)cnt);
    for (double i = 0; i < cnt; i++)
        jsonata_push(x, r, num(x, s + i * st));
    return r;
}

FN(fn_hash)
{
    UNUSED_ARGS;
    if (!a[0] || !a[1])
        return NULL;
    if (!crypto_digest_known(S(a[1]), L(a[1])))
        jsonata_throw(
            x, "D3150", pos,
            "unsupported hash algorithm %s (use MD5, SHA-1, SHA-256, SHA-384 or "
            "SHA-512)",
            jsonata_describe(x, a[1]));
    char hex[CRYPTO_HEX_MAX];
    if (crypto_digest_hex(S(a[1]), L(a[1]), S(a[0]), L(a[0]), hex))
        jsonata_throw(x, "D3150", pos, "hash computation failed");
    size_t n = strlen(hex);
    char *copy = jsonata_alloc(x, n + 1);
    memcpy(copy, hex, n + 1);
    return jsonata_str(x, copy, n);
}

FN(fn_uuid)
{
    UNUSED_ARGS;
    uint64_t hi = jsonata_rand64(x), lo = jsonata_rand64(x);
    hi = (hi & ~0xF000ULL) | 0x4000ULL;
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
    char buf[40];
    snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", (unsigned)(hi >> 32),
             (unsigned)((hi >> 16) & 0xFFFF), (unsigned)(hi & 0xFFFF),
             (unsigned)(lo >> 48), (unsigned long long)(lo & 0xFFFFFFFFFFFFULL));
    return jsonata_cstr(x, buf);
}

FN(fn_parse)
{
    UNUSED_ARGS;
    if (!a[0])
        return NULL;
    json_error_t je;
    json_t *j = json_loadb(S(a[0]), L(a[0]), JSON_DECODE_ANY, &je);
    if (!j)
        jsonata_throw(x, "D3151", pos, "$parse() was given invalid JSON: %s", je.text);
    struct jv *r = jsonata_from_json(x, j, true);
    json_decref(j);
    return r;
}
