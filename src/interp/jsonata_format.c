/*
 * Number formatting for JSONata: $formatNumber (XPath F&O 4.7 decimal-format pictures),
 * $formatBase, and integer pictures shared by $formatInteger, $parseInteger and the
 * date/time components: decimal digit patterns with grouping in any Unicode digit
 * family, ordinals, roman numerals, letters and English words. Pictures are handled as
 * arrays of code points.
 */
#include "interp/jsonata_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Code point strings ------------------------------------------------------------ */

uint32_t *jsonata_utf32(struct jx *x, const char *s, size_t n, size_t *out_n)
{
    uint32_t *v = jsonata_alloc(x, (n + 1) * sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; i < n;)
        i += jsonata_utf8_decode(s + i, n - i, &v[k++]);
    *out_n = k;
    return v;
}

void jsonata_sb_addcp(struct jsb *b, uint32_t cp)
{
    char buf[4];
    jsonata_sb_add(b, buf, jsonata_utf8_encode(cp, buf));
}

struct u32 {
    uint32_t *p;
    size_t n, cap;
    struct jx *x;
};

static void u_push(struct u32 *u, uint32_t c)
{
    if (u->n == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 32;
        uint32_t *np = jsonata_alloc(u->x, cap * sizeof(*np));
        if (u->n)
            memcpy(np, u->p, u->n * sizeof(*np));
        u->p = np;
        u->cap = cap;
    }
    u->p[u->n++] = c;
}

static void u_insert(struct u32 *u, size_t at, uint32_t c)
{
    u_push(u, 0);
    memmove(u->p + at + 1, u->p + at, (u->n - 1 - at) * sizeof(uint32_t));
    u->p[at] = c;
}

static long u_index(const uint32_t *h, size_t hn, const uint32_t *nd, size_t nn,
                    size_t from)
{
    if (nn == 0)
        return from <= hn ? (long)from : -1;
    for (size_t i = from; i + nn <= hn; i++)
        if (!memcmp(h + i, nd, nn * sizeof(uint32_t)))
            return (long)i;
    return -1;
}

static long u_last(const uint32_t *h, size_t hn, const uint32_t *nd, size_t nn)
{
    if (nn > hn)
        return -1;
    for (size_t i = hn - nn + 1; i-- > 0;)
        if (!memcmp(h + i, nd, nn * sizeof(uint32_t)))
            return (long)i;
    return -1;
}

static struct jv *u_str(struct jx *x, const uint32_t *p, size_t n)
{
    struct jsb b = {x, NULL, 0, 0};
    for (size_t i = 0; i < n; i++)
        jsonata_sb_addcp(&b, p[i]);
    return jsonata_sb_str(&b);
}

/* ---- $formatNumber ----------------------------------------------------------------- */

struct prop {
    uint32_t *p;
    size_t n;
};

struct numfmt {
    struct prop dec, grp, exp, minus, pct, pm, zero, digit, psep;
    uint32_t zc; /* zero digit */
};

struct parts {
    const uint32_t *sub;
    size_t n;
    size_t pre, suf; /* prefix length, suffix length */
    const uint32_t *act, *man, *ex, *ip, *fp;
    size_t actn, mann, exn, ipn, fpn;
    bool has_exp;
};

struct analysis {
    int gpos[32], ngpos, regular;
    int fgpos[32], nfgpos;
    int min_int, scaling, min_frac, max_frac, min_exp;
    struct parts *pt;
    struct u32 prefix;
};

static bool is1(const struct prop *p, uint32_t c)
{
    return p->n == 1 && p->p[0] == c;
}

static bool is_digit(const struct numfmt *f, uint32_t c)
{
    return c >= f->zc && c < f->zc + 10;
}

static bool is_active(const struct numfmt *f, uint32_t c)
{
    return is_digit(f, c) || is1(&f->dec, c) || is1(&f->exp, c) || is1(&f->grp, c) ||
           is1(&f->digit, c) || is1(&f->psep, c);
}

static void set_prop(struct jx *x, struct prop *p, const char *s)
{
    p->p = jsonata_utf32(x, s, strlen(s), &p->n);
}

static void split_parts(const struct numfmt *f, const uint32_t *sub, size_t n,
                        struct parts *pt, bool *no_active)
{
    memset(pt, 0, sizeof(*pt));
    pt->sub = sub;
    pt->n = n;
    long pre = -1, suf = -1;
    for (size_t i = 0; i < n; i++)
        if (is_active(f, sub[i]) && !is1(&f->exp, sub[i])) {
            pre = (long)i;
            break;
        }
    for (size_t i = n; i-- > 0;)
        if (is_active(f, sub[i]) && !is1(&f->exp, sub[i])) {
            suf = (long)(n - i - 1);
            break;
        }
    if (pre < 0) {
        *no_active = true;
        pre = 0;
        suf = 0;
    }
    pt->pre = (size_t)pre;
    pt->suf = (size_t)suf;
    pt->act = sub + pt->pre;
    pt->actn = n - pt->pre - pt->suf;
    long ep = u_index(sub, n, f->exp.p, f->exp.n, pt->pre);
    if (ep < 0 || (size_t)ep > n - pt->suf) {
        pt->man = pt->act;
        pt->mann = pt->actn;
    } else {
        size_t e = (size_t)ep < pt->actn ? (size_t)ep : pt->actn;
        pt->man = pt->act;
        pt->mann = e;
        pt->has_exp = true;
        pt->ex = pt->act + (e + 1 < pt->actn ? e + 1 : pt->actn);
        pt->exn = e + 1 < pt->actn ? pt->actn - e - 1 : 0;
    }
    long dp = u_index(pt->man, pt->mann, f->dec.p, f->dec.n, 0);
    if (dp < 0) {
        pt->ip = pt->man;
        pt->ipn = pt->mann;
        pt->fp = sub + n - pt->suf;
        pt->fpn = pt->suf;
    } else {
        pt->ip = pt->man;
        pt->ipn = (size_t)dp;
        pt->fp = pt->man + dp + f->dec.n;
        pt->fpn = pt->mann - (size_t)dp - f->dec.n;
    }
}

static const char *validate(const struct numfmt *f, const struct parts *pt)
{
    const char *error = NULL;
    const uint32_t *s = pt->sub;
    size_t n = pt->n;
    long dp = u_index(s, n, f->dec.p, f->dec.n, 0);
    if (dp != u_last(s, n, f->dec.p, f->dec.n))
        error = "D3081";
    if (u_index(s, n, f->pct.p, f->pct.n, 0) != u_last(s, n, f->pct.p, f->pct.n))
        error = "D3082";
    if (u_index(s, n, f->pm.p, f->pm.n, 0) != u_last(s, n, f->pm.p, f->pm.n))
        error = "D3083";
    if (u_index(s, n, f->pct.p, f->pct.n, 0) >= 0 &&
        u_index(s, n, f->pm.p, f->pm.n, 0) >= 0)
        error = "D3084";
    bool valid = false;
    for (size_t i = 0; i < pt->mann; i++)
        if (is_digit(f, pt->man[i]) || is1(&f->digit, pt->man[i]))
            valid = true;
    if (!valid)
        error = "D3085";
    for (size_t i = 0; i < pt->actn; i++)
        if (!is_active(f, pt->act[i]))
            error = "D3086";
    if (dp >= 0) {
        if ((dp > 0 && is1(&f->grp, s[dp - 1])) ||
            ((size_t)dp + 1 < n && is1(&f->grp, s[dp + 1])))
            error = "D3087";
    } else if (pt->ipn && is1(&f->grp, pt->ip[pt->ipn - 1])) {
        error = "D3088";
    }
    for (size_t i = 0; i + 1 < n; i++)
        if (is1(&f->grp, s[i]) && is1(&f->grp, s[i + 1]))
            error = "D3089";
    long od = u_index(pt->ip, pt->ipn, f->digit.p, f->digit.n, 0);
    for (long i = 0; od >= 0 && i < od; i++)
        if (is_digit(f, pt->ip[i]))
            error = "D3090";
    od = u_last(pt->fp, pt->fpn, f->digit.p, f->digit.n);
    for (size_t i = (size_t)(od >= 0 ? od : 0); od >= 0 && i < pt->fpn; i++)
        if (is_digit(f, pt->fp[i]))
            error = "D3091";
    if (pt->has_exp && pt->exn > 0 &&
        (u_index(s, n, f->pct.p, f->pct.n, 0) >= 0 ||
         u_index(s, n, f->pm.p, f->pm.n, 0) >= 0))
        error = "D3092";
    if (pt->has_exp) {
        bool bad = pt->exn == 0;
        for (size_t i = 0; i < pt->exn; i++)
            if (!is_digit(f, pt->ex[i]))
                bad = true;
        if (bad)
            error = "D3093";
    }
    return error;
}

static int gcd(int a, int b)
{
    return b == 0 ? a : gcd(b, a % b);
}

static int regular_of(const int *pos, int n)
{
    if (n == 0)
        return 0;
    int factor = pos[0];
    for (int i = 1; i < n; i++)
        factor = gcd(factor, pos[i]);
    for (int k = 1; k <= n; k++) {
        bool found = false;
        for (int i = 0; i < n; i++)
            if (pos[i] == k * factor)
                found = true;
        if (!found)
            return 0;
    }
    return factor;
}

/* Grouping positions; JSONata resumes the search in the integer part for both parts. */
static int grouping(const struct numfmt *f, const struct parts *pt, const uint32_t *part,
                    size_t pn, bool to_left, int *out)
{
    int n = 0;
    long gp = u_index(part, pn, f->grp.p, f->grp.n, 0);
    while (gp >= 0 && n < 32) {
        int cnt = 0;
        size_t from = to_left ? 0 : (size_t)gp, to = to_left ? (size_t)gp : pn;
        for (size_t i = from; i < to; i++)
            if (is_digit(f, part[i]) || is1(&f->digit, part[i]))
                cnt++;
        out[n++] = cnt;
        gp = u_index(pt->ip, pt->ipn, f->grp.p, f->grp.n, (size_t)gp + 1);
        if (gp >= 0 && (size_t)gp >= pn)
            break;
    }
    return n;
}

static void analyse(const struct numfmt *f, struct parts *pt, struct analysis *a)
{
    memset(a, 0, sizeof(*a));
    a->pt = pt;
    a->ngpos = grouping(f, pt, pt->ip, pt->ipn, false, a->gpos);
    a->regular = regular_of(a->gpos, a->ngpos);
    a->nfgpos = grouping(f, pt, pt->fp, pt->fpn, true, a->fgpos);
    for (size_t i = 0; i < pt->ipn; i++)
        if (is_digit(f, pt->ip[i]))
            a->min_int++;
    a->scaling = a->min_int;
    for (size_t i = 0; i < pt->fpn; i++) {
        if (is_digit(f, pt->fp[i]))
            a->min_frac++;
        if (is_digit(f, pt->fp[i]) || is1(&f->digit, pt->fp[i]))
            a->max_frac++;
    }
    if (a->min_int == 0 && a->max_frac == 0) {
        if (pt->has_exp) {
            a->min_frac = 1;
            a->max_frac = 1;
        } else {
            a->min_int = 1;
        }
    }
    if (pt->has_exp && a->min_int == 0 &&
        u_index(pt->ip, pt->ipn, f->digit.p, f->digit.n, 0) >= 0)
        a->min_int = 1;
    if (a->min_int == 0 && a->min_frac == 0)
        a->min_frac = 1;
    if (pt->has_exp)
        for (size_t i = 0; i < pt->exn; i++)
            if (is_digit(f, pt->ex[i]))
                a->min_exp++;
}

/* JSONata's $round(): half to even at `prec` decimals, shifting through the text. */
static double round_half_even(double v, int prec)
{
    char buf[48], out[64];
    if (prec) {
        jsonata_numfmt(v, buf);
        char *e = strchr(buf, 'e');
        int ex = 0;
        if (e) {
            ex = atoi(e + 1);
            *e = '\0';
        }
        snprintf(out, sizeof(out), "%se%d", buf, ex + prec);
        v = strtod(out, NULL);
    }
    double r = floor(v + 0.5);
    if (fabs(r - v) == 0.5 && fabs(fmod(r, 2)) == 1)
        r -= 1;
    if (prec) {
        jsonata_numfmt(r, buf);
        char *e = strchr(buf, 'e');
        int ex = 0;
        if (e) {
            ex = atoi(e + 1);
            *e = '\0';
        }
        snprintf(out, sizeof(out), "%se%d", buf, ex - prec);
        r = strtod(out, NULL);
    }
    return r;
}

static void fixed_digits(const struct numfmt *f, struct u32 *u, double v, int dp)
{
    char buf[400];
    snprintf(buf, sizeof(buf), "%.*f", dp, fabs(v));
    for (char *p = buf; *p; p++) {
        if (*p >= '0' && *p <= '9')
            u_push(u, f->zc + (uint32_t)(*p - '0'));
        else
            u_push(u, (uint32_t)(unsigned char)*p);
    }
}

static long u_find1(const struct u32 *u, const struct prop *p)
{
    return u_index(u->p, u->n, p->p, p->n, 0);
}

static void u_insert_prop(struct u32 *u, size_t at, const struct prop *p)
{
    for (size_t i = p->n; i-- > 0;)
        u_insert(u, at, p->p[i]);
}

static struct jv *format_with(struct jx *x, const struct numfmt *f, struct analysis *a,
                              double value, const struct prop *prefix_minus)
{
    const struct parts *pt = a->pt;
    double adj = value;
    if (u_index(pt->sub, pt->n, f->pct.p, f->pct.n, 0) >= 0)
        adj = value * 100;
    else if (u_index(pt->sub, pt->n, f->pm.p, f->pm.n, 0) >= 0)
        adj = value * 1000;
    double mant = adj;
    int expo = 0;
    bool has_exp = a->min_exp > 0;
    if (has_exp && mant != 0) {
        double maxm = pow(10, a->scaling), minm = pow(10, a->scaling - 1);
        while (fabs(mant) < minm) {
            mant *= 10;
            expo--;
        }
        while (fabs(mant) > maxm) {
            mant /= 10;
            expo++;
        }
    }
    double rounded = round_half_even(mant, a->max_frac);
    if (!isfinite(rounded) || a->max_frac > 300)
        jsonata_throw(x, "D1001", 0,
                      "number out of range: cannot format %g with this picture", value);
    struct u32 s = {NULL, 0, 0, x};
    fixed_digits(f, &s, rounded, a->max_frac);
    long dot = -1;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] == '.')
            dot = (long)i;
    if (dot < 0) {
        for (size_t i = 0; i < f->dec.n; i++)
            u_push(&s, f->dec.p[i]);
    } else {
        s.p[dot] = f->dec.p[0]; /* single-character separators in practice */
    }
    size_t st = 0;
    while (st < s.n && s.p[st] == f->zc)
        st++;
    memmove(s.p, s.p + st, (s.n - st) * sizeof(uint32_t));
    s.n -= st;
    while (s.n && s.p[s.n - 1] == f->zc)
        s.n--;
    long dpos = u_find1(&s, &f->dec);
    int pad_left = a->min_int - (int)dpos;
    int pad_right = a->min_frac - (int)(s.n - (size_t)dpos - 1);
    for (int i = 0; i < pad_left; i++)
        u_insert(&s, 0, f->zc);
    for (int i = 0; i < pad_right; i++)
        u_push(&s, f->zc);
    dpos = u_find1(&s, &f->dec);
    if (a->regular > 0) {
        long groups = (dpos - 1) / a->regular;
        for (long g = 1; g <= groups; g++)
            u_insert_prop(&s, (size_t)(dpos - g * a->regular), &f->grp);
    } else {
        for (int i = 0; i < a->ngpos; i++) {
            long at = dpos - a->gpos[i];
            if (at >= 0) {
                u_insert_prop(&s, (size_t)at, &f->grp);
                dpos += (long)f->grp.n;
            }
        }
    }
    dpos = u_find1(&s, &f->dec);
    for (int i = 0; i < a->nfgpos; i++) {
        size_t at = (size_t)(a->fgpos[i] + dpos + 1);
        if (at <= s.n)
            u_insert_prop(&s, at, &f->grp);
    }
    dpos = u_find1(&s, &f->dec);
    if (a->min_frac == 0 && dpos == (long)s.n - 1)
        s.n--;
    if (has_exp) {
        struct u32 e = {NULL, 0, 0, x};
        fixed_digits(f, &e, expo, 0);
        for (int i = (int)e.n; i < a->min_exp; i++)
            u_insert(&e, 0, f->zc);
        for (size_t i = 0; i < f->exp.n; i++)
            u_push(&s, f->exp.p[i]);
        if (expo < 0)
            for (size_t i = 0; i < f->minus.n; i++)
                u_push(&s, f->minus.p[i]);
        for (size_t i = 0; i < e.n; i++)
            u_push(&s, e.p[i]);
    }
    struct u32 out = {NULL, 0, 0, x};
    if (prefix_minus)
        for (size_t i = 0; i < prefix_minus->n; i++)
            u_push(&out, prefix_minus->p[i]);
    for (size_t i = 0; i < pt->pre; i++)
        u_push(&out, pt->sub[i]);
    for (size_t i = 0; i < s.n; i++)
        u_push(&out, s.p[i]);
    for (size_t i = pt->n - pt->suf; i < pt->n; i++)
        u_push(&out, pt->sub[i]);
    return u_str(x, out.p, out.n);
}

struct jv *jsonata_format_number(struct jx *x, double value, const char *pic, size_t plen,
                                 struct jv *opts, size_t pos)
{
    static const struct {
        const char *key, *def;
    } props[] = {
        {"decimal-separator", "."},
        {"grouping-separator", ","},
        {"exponent-separator", "e"},
        {"minus-sign", "-"},
        {"percent", "%"},
        {"per-mille", "\xe2\x80\xb0"},
        {"zero-digit", "0"},
        {"digit", "#"},
        {"pattern-separator", ";"},
    };
    struct numfmt f;
    struct prop *targets[] = {&f.dec, &f.grp,  &f.exp,   &f.minus, &f.pct,
                              &f.pm,  &f.zero, &f.digit, &f.psep};
    if (!isfinite(value))
        jsonata_throw(x, "D1001", pos, "number out of range: cannot format %s",
                      isnan(value) ? "NaN" : "Infinity");
    for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
        struct prop *p = targets[i];
        struct jv *o = opts && opts->t == JV_OBJ
                           ? jsonata_obj_get(x, opts, props[i].key, strlen(props[i].key))
                           : NULL;
        if (o && o->t == JV_STR && o->u.s.len)
            p->p = jsonata_utf32(x, o->u.s.p, o->u.s.len, &p->n);
        else
            set_prop(x, p, props[i].def);
    }
    f.zc = f.zero.p[0];
    size_t n;
    uint32_t *u = jsonata_utf32(x, pic, plen, &n);
    /* split into at most two sub-pictures */
    long sep = u_index(u, n, f.psep.p, f.psep.n, 0);
    size_t nsub = 1;
    struct parts pts[2];
    const uint32_t *subs[2] = {u, NULL};
    size_t subn[2] = {n, 0};
    if (sep >= 0 && f.psep.n) {
        subn[0] = (size_t)sep;
        subs[1] = u + sep + f.psep.n;
        subn[1] = n - (size_t)sep - f.psep.n;
        nsub = 2;
        if (u_index(subs[1], subn[1], f.psep.p, f.psep.n, 0) >= 0)
            jsonata_throw(
                x, "D3080", pos,
                "the picture string must not contain more than one instance of the "
                "pattern-separator character");
    }
    struct analysis an[2];
    for (size_t i = 0; i < nsub; i++) {
        bool none = false;
        split_parts(&f, subs[i], subn[i], &pts[i], &none);
        const char *e = none ? "D3086" : validate(&f, &pts[i]);
        if (e)
            jsonata_throw(x, e, pos, "invalid $formatNumber() picture string (%s)", e);
        analyse(&f, &pts[i], &an[i]);
    }
    if (value >= 0)
        return format_with(x, &f, &an[0], value, NULL);
    if (nsub == 2)
        return format_with(x, &f, &an[1], value, NULL);
    return format_with(x, &f, &an[0], value, &f.minus);
}

/* ---- $formatBase ------------------------------------------------------------------- */

struct jv *jsonata_format_base(struct jx *x, double value, double radix, size_t pos)
{
    if (!isfinite(value))
        jsonata_throw(x, "D1001", pos, "number out of range: cannot format %g", value);
    value = round_half_even(value, 0);
    radix = round_half_even(radix, 0);
    if (!(radix >= 2 && radix <= 36))
        jsonata_throw(x, "D3100", pos,
                      "the radix of the formatBase function must be between 2 "
                      "and 36; it was %g",
                      radix);
    char buf[1100];
    size_t n = 0;
    bool neg = value < 0;
    double v = fabs(value);
    int r = (int)radix;
    if (v == 0)
        buf[n++] = '0';
    while (v >= 1 && n < sizeof(buf) - 2) {
        double q = floor(v / r);
        int d = (int)(v - q * r);
        buf[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[d < 0 ? 0 : d > 35 ? 35 : d];
        v = q;
    }
    if (neg)
        buf[n++] = '-';
    for (size_t i = 0; i < n / 2; i++) {
        char t = buf[i];
        buf[i] = buf[n - 1 - i];
        buf[n - 1 - i] = t;
    }
    return jsonata_strdup(x, buf, n);
}

/* ---- Integer pictures -------------------------------------------------------------- */

static const uint32_t DIGIT_FAMILIES[] = {
    0x30,   0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6,
    0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0,
    0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620,
    0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10};

static bool u_eq(const uint32_t *p, size_t n, const char *s)
{
    size_t l = strlen(s);
    if (l != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)s[i])
            return false;
    return true;
}

void jsonata_int_analyse(const uint32_t *pic, size_t n, struct jint_fmt *f)
{
    memset(f, 0, sizeof(*f));
    f->primary = JI_DECIMAL;
    f->tcase = JI_LOWER;
    f->zero = 0x30;
    size_t pn = n;
    for (size_t i = n; i-- > 0;)
        if (pic[i] == ';') {
            pn = i;
            if (i + 1 < n && pic[i + 1] == 'o')
                f->ordinal = true;
            break;
        }
    if (u_eq(pic, pn, "A") || u_eq(pic, pn, "a")) {
        f->primary = JI_LETTERS;
        f->tcase = pic[0] == 'A' ? JI_UPPER : JI_LOWER;
        return;
    }
    if (u_eq(pic, pn, "I") || u_eq(pic, pn, "i")) {
        f->primary = JI_ROMAN;
        f->tcase = pic[0] == 'I' ? JI_UPPER : JI_LOWER;
        return;
    }
    if (u_eq(pic, pn, "W") || u_eq(pic, pn, "w") || u_eq(pic, pn, "Ww")) {
        f->primary = JI_WORDS;
        f->tcase = pn == 2 ? JI_TITLE : pic[0] == 'W' ? JI_UPPER : JI_LOWER;
        return;
    }
    bool have_zero = false;
    int spos = 0;
    for (size_t k = pn; k-- > 0;) {
        uint32_t c = pic[k];
        bool digit = false;
        for (size_t g = 0; g < sizeof(DIGIT_FAMILIES) / sizeof(DIGIT_FAMILIES[0]); g++) {
            uint32_t z = DIGIT_FAMILIES[g];
            if (c >= z && c <= z + 9) {
                digit = true;
                f->mandatory++;
                spos++;
                if (!have_zero) {
                    f->zero = z;
                    have_zero = true;
                } else if (z != f->zero) {
                    f->bad_family = true;
                }
                break;
            }
        }
        if (digit)
            continue;
        if (c == '#') {
            spos++;
            f->optional++;
        } else if (f->nseps < 32) {
            f->seps[f->nseps].pos = spos;
            f->seps[f->nseps++].ch = c;
        }
    }
    if (f->mandatory == 0) {
        f->primary = JI_SEQUENCE;
        return;
    }
    if (f->nseps == 0)
        return;
    for (int i = 1; i < f->nseps; i++)
        if (f->seps[i].ch != f->seps[0].ch)
            return;
    int pos[32];
    for (int i = 0; i < f->nseps; i++)
        pos[i] = f->seps[i].pos;
    int every = regular_of(pos, f->nseps);
    if (every > 0) {
        f->regular = true;
        f->every = every;
        f->gchar = f->seps[0].ch;
    }
}

static const char *const FEW[] = {
    "Zero",     "One",     "Two",     "Three",     "Four",     "Five",    "Six",
    "Seven",    "Eight",   "Nine",    "Ten",       "Eleven",   "Twelve",  "Thirteen",
    "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen"};
static const char *const ORDINALS[] = {
    "Zeroth",    "First",     "Second",      "Third",      "Fourth",
    "Fifth",     "Sixth",     "Seventh",     "Eighth",     "Ninth",
    "Tenth",     "Eleventh",  "Twelfth",     "Thirteenth", "Fourteenth",
    "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth", "Nineteenth"};
static const char *const DECADES[] = {"Twenty",  "Thirty", "Forty",  "Fifty",  "Sixty",
                                      "Seventy", "Eighty", "Ninety", "Hundred"};
static const char *const MAGNITUDES[] = {"Thousand", "Million", "Billion", "Trillion"};

static void words(struct jsb *b, double num, bool prev, bool ord)
{
    if (num <= 19) {
        if (prev)
            jsonata_sb_adds(b, " and ");
        jsonata_sb_adds(b, ord ? ORDINALS[(int)num] : FEW[(int)num]);
    } else if (num < 100) {
        int tens = (int)(num / 10), rem = (int)fmod(num, 10);
        if (prev)
            jsonata_sb_adds(b, " and ");
        const char *d = DECADES[tens - 2];
        if (rem > 0) {
            jsonata_sb_adds(b, d);
            jsonata_sb_addc(b, '-');
            words(b, rem, false, ord);
        } else if (ord) {
            jsonata_sb_add(b, d, strlen(d) - 1);
            jsonata_sb_adds(b, "ieth");
        } else {
            jsonata_sb_adds(b, d);
        }
    } else if (num < 1000) {
        int hundreds = (int)(num / 100);
        double rem = fmod(num, 100);
        if (prev)
            jsonata_sb_adds(b, ", ");
        jsonata_sb_adds(b, FEW[hundreds]);
        jsonata_sb_adds(b, " Hundred");
        if (rem > 0)
            words(b, rem, true, ord);
        else if (ord)
            jsonata_sb_adds(b, "th");
    } else {
        int mag = (int)floor(log10(num) / 3);
        if (mag > 4)
            mag = 4;
        double factor = pow(10, mag * 3);
        double mant = floor(num / factor);
        double rem = num - mant * factor;
        if (prev)
            jsonata_sb_adds(b, ", ");
        words(b, mant, false, false);
        jsonata_sb_addc(b, ' ');
        jsonata_sb_adds(b, MAGNITUDES[mag - 1]);
        if (rem > 0)
            words(b, rem, true, ord);
        else if (ord)
            jsonata_sb_adds(b, "th");
    }
}

static const struct {
    int value;
    const char *s;
} ROMAN[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"},
             {90, "xc"},  {50, "l"},   {40, "xl"}, {10, "x"},   {9, "ix"},
             {5, "v"},    {4, "iv"},   {1, "i"}};

static void append_cased(struct jsb *b, const char *s, size_t n, enum jint_case c)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (c == JI_UPPER && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 32);
        else if (c == JI_LOWER && ch >= 'A' && ch <= 'Z')
            ch = (char)(ch + 32);
        jsonata_sb_addc(b, ch);
    }
}

static const char *ordinal_suffix(uint32_t last, uint32_t prev, size_t n)
{
    if (n > 1 && prev == 1)
        return "th";
    return last == 1 ? "st" : last == 2 ? "nd" : last == 3 ? "rd" : "th";
}

/* An integer in ASCII digits without grouping: the usual date/time component. */
static void decimal_ascii(struct jsb *b, uint64_t v, const struct jint_fmt *f)
{
    char buf[48];
    char *end = buf + sizeof(buf), *p = end;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (end - p < f->mandatory) /* the caller keeps mandatory within buf */
        *--p = '0';
    size_t n = (size_t)(end - p);
    jsonata_sb_add(b, p, n);
    if (f->ordinal)
        jsonata_sb_adds(b, ordinal_suffix((uint32_t)(end[-1] - '0'),
                                          n > 1 ? (uint32_t)(end[-2] - '0') : 0, n));
}

void jsonata_int_format(struct jx *x, struct jsb *b, double value,
                        const struct jint_fmt *f, size_t pos)
{
    if (!isfinite(value))
        jsonata_throw(x, "D1001", pos, "number out of range: cannot format %g", value);
    if (f->bad_family)
        jsonata_throw(
            x, "D3131", pos,
            "within an integer picture, all digits must be from the same decimal "
            "group");
    bool neg = value < 0;
    value = fabs(value);
    if (neg)
        jsonata_sb_addc(b, '-');
    struct jsb t = {x, NULL, 0, 0};
    switch (f->primary) {
    case JI_LETTERS: {
        char buf[64];
        size_t n = 0;
        double v = value;
        while (v > 0 && n < sizeof(buf)) {
            buf[n++] = (char)((f->tcase == JI_UPPER ? 'A' : 'a') + (int)fmod(v - 1, 26));
            v = floor((v - 1) / 26);
        }
        while (n)
            jsonata_sb_addc(b, buf[--n]);
        return;
    }
    case JI_ROMAN: {
        double v = value;
        for (size_t i = 0; i < sizeof(ROMAN) / sizeof(ROMAN[0]) && v > 0;) {
            if (v >= ROMAN[i].value) {
                jsonata_step(x);
                append_cased(b, ROMAN[i].s, strlen(ROMAN[i].s), f->tcase);
                v -= ROMAN[i].value;
            } else {
                i++;
            }
        }
        return;
    }
    case JI_WORDS:
        words(&t, value, false, f->ordinal);
        append_cased(b, t.p, t.len, f->tcase);
        return;
    case JI_SEQUENCE:
        jsonata_throw(x, "D3130", pos,
                      "formatting or parsing an integer as a sequence starting with this "
                      "character is not supported");
    case JI_DECIMAL:
        break;
    }
    if (f->zero == '0' && !f->nseps && f->mandatory <= 32 && value < 1e15 &&
        value == floor(value)) {
        decimal_ascii(b, (uint64_t)value, f);
        return;
    }
    char digits[400];
    int nd = snprintf(digits, sizeof(digits), "%.0f", value);
    struct u32 s = {NULL, 0, 0, x};
    for (int i = nd; i < f->mandatory; i++)
        u_push(&s, '0');
    for (int i = 0; i < nd; i++)
        u_push(&s, (uint32_t)digits[i]);
    for (size_t i = 0; i < s.n; i++)
        s.p[i] = s.p[i] - '0' + f->zero;
    if (f->regular) {
        long groups = ((long)s.n - 1) / f->every;
        for (long g = groups; g > 0; g--)
            u_insert(&s, s.n - (size_t)(g * f->every), f->gchar);
    } else {
        for (int i = f->nseps; i-- > 0;) {
            long at = (long)s.n - f->seps[i].pos;
            if (at >= 0)
                u_insert(&s, (size_t)at, f->seps[i].ch);
        }
    }
    for (size_t i = 0; i < s.n; i++)
        jsonata_sb_addcp(b, s.p[i]);
    if (f->ordinal) {
        uint32_t last = s.n ? s.p[s.n - 1] - f->zero : 0;
        uint32_t prev = s.n > 1 ? s.p[s.n - 2] - f->zero : 0;
        jsonata_sb_adds(b, ordinal_suffix(last, prev, s.n));
    }
}

struct jv *jsonata_format_integer(struct jx *x, double n, const char *pic, size_t plen,
                                  size_t pos)
{
    size_t un;
    uint32_t *u = jsonata_utf32(x, pic, plen, &un);
    struct jint_fmt f;
    jsonata_int_analyse(u, un, &f);
    struct jsb b = {x, NULL, 0, 0};
    jsonata_int_format(x, &b, floor(n), &f, pos);
    return jsonata_sb_str(&b);
}

/* ---- Parsing integers -------------------------------------------------------------- */

static const struct {
    const char *w;
    double v;
} EXTRA_WORDS[] = {{"hundredth", 100}, {"thousand", 1e3},  {"thousandth", 1e3},
                   {"million", 1e6},   {"millionth", 1e6}, {"billion", 1e9},
                   {"billionth", 1e9}, {"trillion", 1e12}, {"trillionth", 1e12}};

static bool word_value(const char *w, size_t n, double *v)
{
    char low[32];
    if (n == 0 || n >= sizeof(low))
        return false;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
    low[n] = '\0';
    for (int i = 0; i < 20; i++) {
        if (!strcasecmp(low, FEW[i]) || !strcasecmp(low, ORDINALS[i])) {
            *v = i;
            return true;
        }
    }
    for (int i = 0; i < 9; i++) {
        if (!strcasecmp(low, DECADES[i])) {
            *v = (i + 2) * 10;
            return true;
        }
        char ord[32];
        snprintf(ord, sizeof(ord), "%.*sieth", (int)strlen(DECADES[i]) - 1, DECADES[i]);
        if (!strcasecmp(low, ord)) {
            *v = (i + 2) * 10;
            return true;
        }
    }
    for (size_t i = 0; i < sizeof(EXTRA_WORDS) / sizeof(EXTRA_WORDS[0]); i++)
        if (!strcmp(low, EXTRA_WORDS[i].w)) {
            *v = EXTRA_WORDS[i].v;
            return true;
        }
    return false;
}

static double words_to_number(const char *s, size_t n)
{
    double segs[64];
    int ns = 1;
    segs[0] = 0;
    size_t i = 0;
    while (i < n) {
        /* separators: ", ", " and ", whitespace, '-' */
        size_t st = i;
        while (i < n && s[i] != ' ' && s[i] != '-' && s[i] != ',' && s[i] != '\t')
            i++;
        size_t wl = i - st;
        while (i < n && (s[i] == ' ' || s[i] == '-' || s[i] == ',' || s[i] == '\t'))
            i++;
        if (wl == 3 && !strncasecmp(s + st, "and", 3))
            continue;
        double v;
        if (!wl || !word_value(s + st, wl, &v))
            continue;
        if (v < 100) {
            double top = segs[--ns];
            if (top >= 1000) {
                segs[ns++] = top;
                top = 0;
            }
            if (ns < 64)
                segs[ns++] = top + v;
        } else {
            segs[ns - 1] *= v;
        }
    }
    double r = 0;
    for (int k = 0; k < ns; k++)
        r += segs[k];
    return r;
}

double jsonata_int_parse(const struct jint_fmt *f, const char *s, size_t n)
{
    switch (f->primary) {
    case JI_LETTERS: {
        double v = 0;
        for (size_t i = 0; i < n; i++) {
            char c = s[i];
            int d = c >= 'a' && c <= 'z'   ? c - 'a' + 1
                    : c >= 'A' && c <= 'Z' ? c - 'A' + 1
                                           : 0;
            v = v * 26 + d;
        }
        return v;
    }
    case JI_ROMAN: {
        double v = 0, max = 1;
        for (size_t i = n; i-- > 0;) {
            char c = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
            double d = c == 'M'   ? 1000
                       : c == 'D' ? 500
                       : c == 'C' ? 100
                       : c == 'L' ? 50
                       : c == 'X' ? 10
                       : c == 'V' ? 5
                       : c == 'I' ? 1
                                  : 0;
            if (d < max) {
                v -= d;
            } else {
                max = d;
                v += d;
            }
        }
        return v;
    }
    case JI_WORDS:
        return words_to_number(s, n);
    default: {
        double v = 0;
        for (size_t i = 0; i < n;) {
            uint32_t cp;
            i += jsonata_utf8_decode(s + i, n - i, &cp);
            if (cp >= f->zero && cp <= f->zero + 9)
                v = v * 10 + (cp - f->zero);
            else if (cp >= '0' && cp <= '9')
                v = v * 10 + (cp - '0');
        }
        return v;
    }
    }
}

/* Number words in longest-first order, for parsing [Dw] / [Yw] style components. */
static const char WORDS_RE[] =
    "(?:seventeenth|eighteenth|fourteenth|nineteenth|seventieth|thirteenth|"
    "thousandth|trillionth|billionth|eightieth|fifteenth|hundredth|millionth|"
    "ninetieth|seventeen|sixteenth|thirtieth|twentieth|eighteen|eleventh|fiftieth|"
    "fortieth|fourteen|nineteen|sixtieth|thirteen|thousand|trillion|billion|fifteen|"
    "hundred|million|seventh|seventy|sixteen|twelfth|eighth|eighty|eleven|fourth|"
    "ninety|second|thirty|twelve|twenty|zeroth|eight|fifth|fifty|first|forty|ninth|"
    "seven|sixth|sixty|tenth|third|three|five|four|nine|zero|and|one|six|ten|two|[\\-, "
    "])+";

void jsonata_int_regex(struct jx *x, struct jsb *b, const struct jint_fmt *f, size_t pos)
{
    switch (f->primary) {
    case JI_LETTERS:
        jsonata_sb_adds(b, f->tcase == JI_UPPER ? "[A-Z]+" : "[a-z]+");
        return;
    case JI_ROMAN:
        jsonata_sb_adds(b, f->tcase == JI_UPPER ? "[MDCLXVI]+" : "[mdclxvi]+");
        return;
    case JI_WORDS:
        jsonata_sb_adds(b, WORDS_RE);
        return;
    case JI_SEQUENCE:
        jsonata_throw(x, "D3130", pos,
                      "formatting or parsing an integer as a sequence starting with this "
                      "character is not supported");
    case JI_DECIMAL:
        break;
    }
    if (f->zero == 0x30) {
        jsonata_sb_adds(b, "[0-9");
    } else {
        char buf[40];
        snprintf(buf, sizeof(buf), "[\\x{%x}-\\x{%x}", f->zero, f->zero + 9);
        jsonata_sb_adds(b, buf);
    }
    for (int i = 0; i < f->nseps; i++) {
        char buf[16];
        snprintf(buf, sizeof(buf), "\\x{%x}", f->seps[i].ch);
        jsonata_sb_adds(b, buf);
    }
    int m = f->mandatory > 0 ? f->mandatory : 1;
    char q[32];
    snprintf(q, sizeof(q), "]{%d,}", m);
    jsonata_sb_adds(b, q);
    if (f->ordinal)
        jsonata_sb_adds(b, "(?:th|st|nd|rd)");
}

struct jv *jsonata_parse_integer(struct jx *x, const char *s, size_t slen,
                                 const char *pic, size_t plen, size_t pos)
{
    size_t un;
    uint32_t *u = jsonata_utf32(x, pic, plen, &un);
    struct jint_fmt f;
    jsonata_int_analyse(u, un, &f);
    if (f.primary == JI_SEQUENCE)
        jsonata_throw(x, "D3130", pos,
                      "formatting or parsing an integer as a sequence starting with this "
                      "character is not supported");
    if (f.ordinal && f.primary == JI_DECIMAL && slen >= 2)
        slen -= 2;
    return jsonata_num(x, jsonata_int_parse(&f, s, slen));
}
