/*
 * Date and time for JSONata: $fromMillis / $now formatting with XPath picture strings
 * ([Y0001]-[M01]-[D01], names, ordinals, words, ISO weeks, time zones), and $toMillis
 * parsing of ISO 8601 text or of text described by a picture. Calendar arithmetic is
 * proleptic Gregorian in UTC; time zones are fixed offsets (+hhmm), as in JSONata.
 */
#include "interp/jsonata_int.h"

#include "base/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000.0

static const char *const MONTHS[] = {"January",   "February", "March",    "April",
                                     "May",       "June",     "July",     "August",
                                     "September", "October",  "November", "December"};
static const char *const DAYS[] = {"",         "Monday", "Tuesday",  "Wednesday",
                                   "Thursday", "Friday", "Saturday", "Sunday"};

/* ---- Calendar ---------------------------------------------------------------------- */

static double days_from_civil(double y, int m, int d)
{
    y -= m <= 2;
    double era = floor(y / 400);
    double yoe = y - era * 400;
    int mp = (m + 9) % 12;
    double doy = floor((153 * mp + 2) / 5) + d - 1;
    double doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
}

struct civil {
    double y;
    int m, d;
    int hh, mm, ss, ms;
    int dow;  /* 1 = Monday .. 7 = Sunday */
    int yday; /* 1-based */
};

static void civil_from_days(double z, double *y, int *m, int *d)
{
    z += 719468;
    double era = floor(z / 146097);
    double doe = z - era * 146097;
    double yoe =
        floor((doe - floor(doe / 1460) + floor(doe / 36524) - floor(doe / 146096)) / 365);
    double yy = yoe + era * 400;
    double doy = doe - (365 * yoe + floor(yoe / 4) - floor(yoe / 100));
    double mp = floor((5 * doy + 2) / 153);
    *d = (int)(doy - floor((153 * mp + 2) / 5) + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yy + (*m <= 2);
}

static void to_civil(double ms, struct civil *c)
{
    double days = floor(ms / DAY_MS);
    /* whole milliseconds into the day: the fields truncate any fraction anyway */
    long rem = (long)floor(ms - days * DAY_MS);
    civil_from_days(days, &c->y, &c->m, &c->d);
    c->hh = (int)(rem / 3600000);
    c->mm = (int)(rem % 3600000 / 60000);
    c->ss = (int)(rem % 60000 / 1000);
    c->ms = (int)(rem % 1000);
    int wd = (int)fmod(days + 4, 7); /* 1970-01-01 was a Thursday; 0 = Sunday */
    if (wd < 0)
        wd += 7;
    c->dow = wd == 0 ? 7 : wd;
    c->yday = (int)(days - days_from_civil(c->y, 1, 1)) + 1;
}

/* The Thursday of the ISO week holding day number `days`. */
static double week_thursday(double days)
{
    int wd = (int)fmod(days + 4, 7);
    if (wd < 0)
        wd += 7;
    int dow = wd == 0 ? 7 : wd;
    return days - (dow - 1) + 3;
}

/* ---- Picture analysis -------------------------------------------------------------- */

struct marker {
    bool literal;
    const char *lit; /* literal text (UTF-8) */
    size_t litn;
    char comp;
    uint32_t pres1[32];
    size_t npres1;
    char pres2;
    bool has_min, has_max;
    int wmin, wmax;
    int names; /* 0 none, 1 lower, 2 upper, 3 title */
    bool has_int;
    struct jint_fmt ifmt;
    int yn;      /* Y: digits kept, -1 all */
    double ymod; /* Y: 10^yn */
};

struct picture {
    struct marker *m;
    size_t n, cap;
};

static void add_marker(struct jx *x, struct picture *p, struct marker *mk)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        struct marker *nm = jsonata_alloc(x, cap * sizeof(*nm));
        if (p->n)
            memcpy(nm, p->m, p->n * sizeof(*nm));
        p->m = nm;
        p->cap = cap;
    }
    p->m[p->n++] = *mk;
}

static void add_literal(struct jx *x, struct picture *p, const char *s, size_t n)
{
    if (!n)
        return;
    struct marker mk;
    memset(&mk, 0, sizeof(mk));
    mk.literal = true;
    struct jsb b = {x, NULL, 0, 0};
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ']' && i + 1 < n && s[i + 1] == ']')
            i++;
        jsonata_sb_addc(&b, s[i]);
    }
    mk.lit = b.p;
    mk.litn = b.len;
    add_marker(x, p, &mk);
}

static const char *default_pres(char c)
{
    switch (c) {
    case 'Y':
    case 'M':
    case 'D':
    case 'd':
    case 'W':
    case 'w':
    case 'X':
    case 'x':
    case 'H':
    case 'h':
    case 'f':
        return "1";
    case 'F':
    case 'P':
    case 'C':
    case 'E':
        return "n";
    case 'm':
    case 's':
        return "01";
    case 'Z':
    case 'z':
        return "01:01";
    default:
        return NULL;
    }
}

static int parse_width(const char *s, size_t n, bool *has)
{
    *has = false;
    if (n == 0 || (n == 1 && s[0] == '*'))
        return 0;
    int v = 0;
    size_t i = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        if ((v = v * 10 + (s[i] - '0')) > 1000) /* wider is useless, and slow */
            v = 1000;
    *has = i > 0;
    return v;
}

static void analyse_marker(struct jx *x, const char *s, size_t n, struct marker *mk,
                           size_t pos)
{
    /* whitespace inside a marker is ignored */
    char *buf = jsonata_alloc(x, n + 1);
    size_t bn = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            buf[bn++] = s[i];
    buf[bn] = '\0';
    memset(mk, 0, sizeof(*mk));
    mk->comp = bn ? buf[0] : '\0';
    const char *comma = strrchr(buf, ',');
    size_t pend = bn;
    if (comma) {
        const char *w = comma + 1;
        const char *dash = strchr(w, '-');
        if (!dash) {
            mk->wmin = parse_width(w, strlen(w), &mk->has_min);
        } else {
            mk->wmin = parse_width(w, (size_t)(dash - w), &mk->has_min);
            mk->wmax = parse_width(dash + 1, strlen(dash + 1), &mk->has_max);
        }
        pend = (size_t)(comma - buf);
    }
    const char *pres = bn > 1 ? buf + 1 : "";
    size_t pl = pend > 1 ? pend - 1 : 0;
    char p1[64];
    if (pl == 0) {
        const char *d = default_pres(mk->comp);
        if (!d)
            jsonata_throw(x, "D3132", pos,
                          "unknown component specifier '%c' in date/time picture",
                          mk->comp ? mk->comp : '?');
        snprintf(p1, sizeof(p1), "%s", d);
    } else if (pl > 1 && strchr("atco", pres[pl - 1])) {
        mk->pres2 = pres[pl - 1];
        snprintf(p1, sizeof(p1), "%.*s", (int)(pl - 1), pres);
    } else {
        snprintf(p1, sizeof(p1), "%.*s", (int)pl, pres);
    }
    if (!default_pres(mk->comp))
        jsonata_throw(x, "D3132", pos,
                      "unknown component specifier '%c' in date/time picture",
                      mk->comp ? mk->comp : '?');
    size_t un;
    uint32_t *u = jsonata_utf32(x, p1, strlen(p1), &un);
    mk->npres1 = un < 31 ? un : 31;
    memcpy(mk->pres1, u, mk->npres1 * sizeof(uint32_t));
    if (p1[0] == 'n') {
        mk->names = 1;
    } else if (p1[0] == 'N') {
        mk->names = p1[1] == 'n' ? 3 : 2;
    } else if (strchr("YMDdFWwXxHhmsf", mk->comp)) {
        char ip[80];
        snprintf(ip, sizeof(ip), "%s%s%c", p1, mk->pres2 ? ";" : "",
                 mk->pres2 ? mk->pres2 : '\0');
        uint32_t *iu = jsonata_utf32(x, ip, strlen(ip), &un);
        jsonata_int_analyse(iu, un, &mk->ifmt);
        mk->has_int = true;
        if (mk->has_min && mk->ifmt.mandatory < mk->wmin)
            mk->ifmt.mandatory = mk->wmin;
        if (mk->comp == 'Y') {
            mk->yn = -1;
            if (mk->has_max) {
                mk->yn = mk->wmax;
                mk->ifmt.mandatory = mk->yn;
            } else if (mk->ifmt.mandatory + mk->ifmt.optional >= 2) {
                mk->yn = mk->ifmt.mandatory + mk->ifmt.optional;
            }
            mk->ymod = pow(10, mk->yn);
        }
    }
    if (mk->comp == 'Z' || mk->comp == 'z') {
        jsonata_int_analyse(mk->pres1, mk->npres1, &mk->ifmt);
        mk->has_int = true;
    }
}

static void analyse_picture(struct jx *x, const char *s, size_t n, struct picture *p,
                            size_t pos)
{
    memset(p, 0, sizeof(*p));
    size_t start = 0, i = 0;
    while (i < n) {
        if (s[i] != '[') {
            i++;
            continue;
        }
        if (i + 1 < n && s[i + 1] == '[') {
            add_literal(x, p, s + start, i - start);
            add_literal(x, p, "[", 1);
            i += 2;
            start = i;
            continue;
        }
        add_literal(x, p, s + start, i - start);
        const char *close = memchr(s + i, ']', n - i);
        if (!close)
            jsonata_throw(x, "D3135", pos,
                          "no matching closing bracket ']' in date/time picture");
        size_t end = (size_t)(close - s);
        struct marker mk;
        analyse_marker(x, s + i + 1, end - i - 1, &mk, pos);
        add_marker(x, p, &mk);
        i = end + 1;
        start = i;
    }
    add_literal(x, p, s + start, n - start);
}

/* ---- Picture cache ----------------------------------------------------------------- */

/*
 * An analysed picture kept by the program (struct jsonata's pics): one malloc'd block
 * holding the markers, their literal text and the picture text. For $toMillis it also
 * keeps the compiled regex that reads a timestamp (NULL when it does not compile).
 */
struct jdt_pic {
    bool parse;
    const char *text;
    size_t len;
    struct picture p;
    pcre2_code *re;
};

void jsonata_dt_pic_free(struct jdt_pic *e)
{
    if (!e)
        return;
    pcre2_code_free(e->re);
    free(e);
}

static struct jdt_pic *pic_entry(const struct picture *p, const char *s, size_t n,
                                 bool parse, pcre2_code *re)
{
    size_t lits = 0;
    for (size_t i = 0; i < p->n; i++)
        lits += p->m[i].literal ? p->m[i].litn : 0;
    struct jdt_pic *e = xmalloc(sizeof(*e) + p->n * sizeof(struct marker) + lits + n + 1);
    struct marker *m = (struct marker *)(e + 1);
    char *text = (char *)(m + p->n);
    if (p->n)
        memcpy(m, p->m, p->n * sizeof(*m));
    for (size_t i = 0; i < p->n; i++)
        if (m[i].literal) {
            memcpy(text, m[i].lit, m[i].litn);
            m[i].lit = text;
            text += m[i].litn;
        }
    memcpy(text, s, n);
    text[n] = '\0';
    *e = (struct jdt_pic){parse, text, n, {m, p->n, p->n}, re};
    return e;
}

static pcre2_code *picture_regex(struct jx *x, const struct picture *p, size_t pos);

/* An analysed picture; *re (parse only) is the regex, to free when *owned is set. */
static const struct picture *picture_get(struct jx *x, const char *s, size_t n,
                                         bool parse, size_t pos, pcre2_code **re,
                                         bool *owned)
{
    struct jsonata *prog = (struct jsonata *)x->prog; /* only the cache slots change */
    size_t i = 0;
    for (; i < JSONATA_PIC_SLOTS; i++) {
        struct jdt_pic *e = atomic_load(&prog->pics[i]);
        if (!e)
            break;
        if (e->parse == parse && e->len == n && !memcmp(e->text, s, n)) {
            *re = e->re;
            *owned = false;
            return &e->p;
        }
    }
    struct picture *p = jsonata_alloc(x, sizeof(*p));
    analyse_picture(x, s, n, p, pos);
    *re = parse ? picture_regex(x, p, pos) : NULL;
    *owned = true;
    if (i == JSONATA_PIC_SLOTS)
        return p;
    struct jdt_pic *e = pic_entry(p, s, n, parse, *re), *none = NULL;
    for (; i < JSONATA_PIC_SLOTS; i++, none = NULL)
        if (atomic_compare_exchange_strong(&prog->pics[i], &none, e)) {
            *owned = false;
            return &e->p;
        }
    free(e); /* other threads took the slots meanwhile; *re stays the caller's */
    return p;
}

/* ---- Formatting -------------------------------------------------------------------- */

static double fragment(const struct civil *c, double ms, char comp)
{
    double days = floor(ms / DAY_MS);
    switch (comp) {
    case 'Y':
        return c->y;
    case 'M':
        return c->m;
    case 'D':
        return c->d;
    case 'd':
        return c->yday;
    case 'F':
        return c->dow;
    case 'W': {
        double th = week_thursday(days);
        struct civil t;
        to_civil(th * DAY_MS, &t);
        return floor((t.yday - 1) / 7.0) + 1;
    }
    case 'X': {
        struct civil t;
        to_civil(week_thursday(days) * DAY_MS, &t);
        return t.y;
    }
    case 'w': {
        struct civil t;
        to_civil(week_thursday(days) * DAY_MS, &t);
        return floor((t.d - 1) / 7.0) + 1;
    }
    case 'x': {
        struct civil t;
        to_civil(week_thursday(days) * DAY_MS, &t);
        return t.m;
    }
    case 'H':
        return c->hh;
    case 'h':
        return c->hh % 12 == 0 ? 12 : c->hh % 12;
    case 'm':
        return c->mm;
    case 's':
        return c->ss;
    case 'f':
        return c->ms;
    default:
        return 0;
    }
}

static void add_name(struct jsb *b, const char *name, const struct marker *mk)
{
    size_t n = strlen(name);
    if (mk->has_max && (size_t)mk->wmax < n)
        n = (size_t)mk->wmax;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (mk->names == 2 && c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        else if (mk->names == 1 && c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        jsonata_sb_addc(b, c);
    }
}

static void format_zone(struct jx *x, struct jsb *b, const struct marker *mk, int oh,
                        int om, size_t pos)
{
    int offset = oh * 100 + om;
    struct jsb t = {x, NULL, 0, 0};
    if (mk->ifmt.regular) {
        jsonata_int_format(x, &t, offset, &mk->ifmt, pos);
    } else {
        int nd = mk->ifmt.mandatory;
        if (nd == 1 || nd == 2) {
            jsonata_int_format(x, &t, oh, &mk->ifmt, pos);
            if (om != 0) {
                char mb[16];
                snprintf(mb, sizeof(mb), ":%02d", abs(om));
                jsonata_sb_adds(&t, mb);
            }
        } else if (nd == 3 || nd == 4) {
            jsonata_int_format(x, &t, offset, &mk->ifmt, pos);
        } else {
            jsonata_throw(x, "D3134", pos,
                          "the time zone integer format specifies too many digits (%d)",
                          nd);
        }
    }
    if (offset == 0 && mk->pres2 == 't') {
        jsonata_sb_addc(b, 'Z');
        return;
    }
    if (mk->comp == 'z')
        jsonata_sb_adds(b, "GMT");
    if (offset >= 0)
        jsonata_sb_addc(b, '+');
    jsonata_sb_add(b, t.p, t.len);
}

static void format_marker(struct jx *x, struct jsb *b, const struct marker *mk,
                          const struct civil *c, double ms, int oh, int om, size_t pos)
{
    char comp = mk->comp;
    if (strchr("YMDdFWwXxHhms", comp)) {
        double v = fragment(c, ms, comp);
        if (comp == 'Y' && mk->yn != -1)
            v = fmod(v, mk->ymod);
        if (mk->names) {
            const char *name;
            if (comp == 'M' || comp == 'x')
                name = MONTHS[(int)v - 1];
            else if (comp == 'F')
                name = DAYS[(int)v];
            else
                jsonata_throw(
                    x, "D3133", pos,
                    "the '%c' date/time component cannot be formatted as a name", comp);
            add_name(b, name, mk);
        } else {
            jsonata_int_format(x, b, v, &mk->ifmt, pos);
        }
    } else if (comp == 'f') {
        jsonata_int_format(x, b, c->ms, &mk->ifmt, pos);
    } else if (comp == 'Z' || comp == 'z') {
        format_zone(x, b, mk, oh, om, pos);
    } else if (comp == 'P') {
        jsonata_sb_adds(b, c->hh >= 12 ? (mk->names == 2 ? "PM" : "pm")
                                       : (mk->names == 2 ? "AM" : "am"));
    } else if (comp == 'C' || comp == 'E') {
        jsonata_sb_adds(b, "ISO");
    }
}

static const char ISO_PICTURE[] = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";

struct jv *jsonata_from_millis(struct jx *x, double ms, const struct jv *pic,
                               const struct jv *tz, size_t pos)
{
    int oh = 0, om = 0;
    if (!isfinite(ms) || fabs(ms) > 8.64e15) /* outside JavaScript's Date range */
        return NULL;
    if (tz && tz->t == JV_STR) {
        char buf[64];
        const char *t =
            tz->u.s.len < sizeof(buf) ? buf : jsonata_strndup(x, tz->u.s.p, tz->u.s.len);
        if (t == buf) { /* the usual "+0900": no arena copy */
            memcpy(buf, tz->u.s.p, tz->u.s.len);
            buf[tz->u.s.len] = '\0';
        }
        long off = strtol(t, NULL, 10) % 100000;
        oh = (int)floor((double)off / 100.0);
        om = (int)(off % 100);
    }
    pcre2_code *re;
    bool owned;
    const struct picture *p =
        pic && pic->t == JV_STR
            ? picture_get(x, pic->u.s.p, pic->u.s.len, false, pos, &re, &owned)
            : picture_get(x, ISO_PICTURE, strlen(ISO_PICTURE), false, pos, &re, &owned);
    double local = ms + (60.0 * oh + om) * 60000.0;
    struct civil c;
    to_civil(local, &c);
    struct jsb b = {x, NULL, 0, 0};
    for (size_t i = 0; i < p->n; i++) {
        if (p->m[i].literal)
            jsonata_sb_add(&b, p->m[i].lit, p->m[i].litn);
        else
            format_marker(x, &b, &p->m[i], &c, local, oh, om, pos);
    }
    return jsonata_sb_str(&b);
}

/* ---- Parsing ----------------------------------------------------------------------- */

static bool digits(const char *s, size_t n, size_t *i, int cnt, int *out)
{
    int v = 0;
    for (int k = 0; k < cnt; k++) {
        if (*i >= n || s[*i] < '0' || s[*i] > '9')
            return false;
        v = v * 10 + (s[(*i)++] - '0');
    }
    *out = v;
    return true;
}

/* ISO 8601 as JSONata accepts it without a picture: date, optional time, optional zone.
 */
static bool parse_iso(const char *s, size_t n, double *out)
{
    size_t i = 0;
    int y, mo = 1, d = 1, hh = 0, mi = 0, ss = 0, zh = 0, zm = 0;
    double frac = 0;
    int sign = 0;
    if (!digits(s, n, &i, 4, &y))
        return false;
    if (i < n && s[i] == '-') {
        i++;
        if (!digits(s, n, &i, 2, &mo))
            return false;
        if (i < n && s[i] == '-') {
            i++;
            if (!digits(s, n, &i, 2, &d))
                return false;
        }
    }
    if (i < n && s[i] == 'T') {
        i++;
        if (!digits(s, n, &i, 2, &hh) || i >= n || s[i++] != ':' ||
            !digits(s, n, &i, 2, &mi))
            return false;
        if (i < n && s[i] == ':') {
            i++;
            if (!digits(s, n, &i, 2, &ss))
                return false;
        }
        if (i < n && s[i] == '.') {
            i++;
            double scale = 0.1;
            size_t st = i;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                frac += (s[i++] - '0') * scale;
                scale /= 10;
            }
            if (i == st)
                return false;
        }
    }
    if (i < n && s[i] == 'Z') {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        sign = s[i++] == '-' ? -1 : 1;
        if (!digits(s, n, &i, 2, &zh))
            return false;
        if (i < n && s[i] == ':')
            i++;
        if (!digits(s, n, &i, 2, &zm))
            return false;
    }
    if (i != n || mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 24 || mi > 59 || ss > 59)
        return false;
    double days = days_from_civil(y, mo, d);
    double ms = days * DAY_MS + hh * 3600000.0 + mi * 60000.0 + ss * 1000.0 +
                floor(frac * 1000 + 1e-9);
    if (sign)
        ms -= sign * (zh * 60 + zm) * 60000.0;
    *out = ms;
    return true;
}

static int name_index(const char *const *names, int first, int count, const char *s,
                      size_t n)
{
    if (n < 2)
        return -1;
    for (int i = first; i < first + count; i++) {
        size_t l = strlen(names[i]);
        if (n <= l && !strncasecmp(names[i], s, n))
            return i;
    }
    return -1;
}

static bool parse_zone(const char *s, size_t n, double *minutes)
{
    size_t i = 0;
    if (n >= 3 && !strncasecmp(s, "GMT", 3))
        i = 3;
    if (i < n && (s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
        *minutes = 0;
        return true;
    }
    if (i >= n || (s[i] != '+' && s[i] != '-'))
        return false;
    int sign = s[i++] == '-' ? -1 : 1;
    int h = 0, m = 0, nd = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && nd < 2) {
        h = h * 10 + (s[i++] - '0');
        nd++;
    }
    if (i < n && s[i] == ':')
        i++;
    nd = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && nd < 2) {
        m = m * 10 + (s[i++] - '0');
        nd++;
    }
    if (nd == 0 && (n - i) == 0 && h >= 100) {
        m = h % 100;
        h /= 100;
    }
    *minutes = sign * (h * 60 + m);
    return true;
}

/* Index of a component letter in the date/time component table. */
static int comp_index(char c)
{
    static const char comps[] = "YXMxWwdDFPHhmsfZz";
    const char *p = strchr(comps, c);
    return p && c ? (int)(p - comps) : -1;
}

static pcre2_code *picture_regex(struct jx *x, const struct picture *p, size_t pos)
{
    struct jsb re = {x, NULL, 0, 0};
    jsonata_sb_addc(&re, '^');
    for (size_t i = 0; i < p->n; i++) {
        const struct marker *mk = &p->m[i];
        if (mk->literal) {
            jsonata_sb_adds(&re, "\\Q");
            jsonata_sb_add(&re, mk->lit, mk->litn);
            jsonata_sb_adds(&re, "\\E");
            continue;
        }
        jsonata_sb_addc(&re, '(');
        if (mk->comp == 'Z' || mk->comp == 'z')
            jsonata_sb_adds(&re, mk->comp == 'z' ? "GMT[+-][0-9]{1,2}(?::?[0-9]{2})?"
                                                 : "Z|[+-][0-9]{1,2}(?::?[0-9]{2})?");
        else if (mk->has_int)
            jsonata_int_regex(x, &re, &mk->ifmt, pos);
        else if (mk->comp == 'M' || mk->comp == 'x' || mk->comp == 'F')
            jsonata_sb_adds(&re, "[a-zA-Z]+");
        else if (mk->comp == 'P')
            jsonata_sb_adds(&re, "am|pm|AM|PM");
        else
            jsonata_throw(x, "D3133", pos,
                          "the '%c' date/time component cannot be parsed as a name",
                          mk->comp);
        jsonata_sb_addc(&re, ')');
    }
    jsonata_sb_addc(&re, '$');
    int ec;
    PCRE2_SIZE eo;
    return pcre2_compile((PCRE2_SPTR)re.p, re.len,
                         PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo,
                         NULL);
}

struct jv *jsonata_to_millis(struct jx *x, const char *s, size_t slen,
                             const struct jv *pic, size_t pos)
{
    if (!pic || pic->t != JV_STR) {
        double ms;
        if (!parse_iso(s, slen, &ms))
            jsonata_throw(x, "D3110", pos,
                          "the timestamp cannot be parsed as an ISO 8601 date: %.*s",
                          (int)(slen > 60 ? 60 : slen), s);
        return jsonata_num(x, ms);
    }
    pcre2_code *code;
    bool owned;
    const struct picture *pp =
        picture_get(x, pic->u.s.p, pic->u.s.len, true, pos, &code, &owned);
    if (!code)
        return NULL;
    struct picture p = *pp;
    uint32_t ncap = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &ncap);
    pcre2_match_data *md =
        ncap < 64 ? jsonata_md(x) : pcre2_match_data_create_from_pattern(code, NULL);
    int rc = pcre2_match(code, (PCRE2_SPTR)s, slen, 0, 0, md, NULL);
    double comp[17];
    bool have[17];
    memset(have, 0, sizeof(have));
    size_t group = 0;
    bool any = false;
    if (rc >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        for (size_t i = 0; i < p.n; i++) {
            const struct marker *mk = &p.m[i];
            if (mk->literal)
                continue;
            group++;
            const char *v = s + ov[2 * group];
            size_t vn = ov[2 * group + 1] - ov[2 * group];
            int ci = comp_index(mk->comp);
            double val;
            bool ok = true;
            if (mk->comp == 'Z' || mk->comp == 'z') {
                ok = parse_zone(v, vn, &val);
            } else if (mk->comp == 'f' && mk->has_int) {
                double fr = 0, scale = 0.1;
                for (size_t k = 0; k < vn; k++, scale /= 10)
                    fr += (v[k] - '0') * scale;
                val = floor(fr * 1000 + 1e-9);
            } else if (mk->has_int) {
                size_t vl = vn;
                if (mk->ifmt.ordinal && mk->ifmt.primary == JI_DECIMAL && vl >= 2)
                    vl -= 2;
                val = jsonata_int_parse(&mk->ifmt, v, vl);
            } else if (mk->comp == 'M' || mk->comp == 'x') {
                int k = name_index(MONTHS, 0, 12, v, vn);
                ok = k >= 0;
                val = k + 1;
            } else if (mk->comp == 'F') {
                int k = name_index(DAYS, 1, 7, v, vn);
                ok = k >= 0;
                val = k;
            } else if (mk->comp == 'P') {
                val = (vn == 2 && (v[0] == 'p' || v[0] == 'P')) ? 1 : 0;
            } else {
                ok = false;
                val = 0;
            }
            if (ok && ci >= 0) {
                comp[ci] = val;
                have[ci] = true;
                any = true;
            }
        }
    }
    if (md != x->md)
        pcre2_match_data_free(md);
    if (owned)
        pcre2_code_free(code);
    if (rc < 0 || !any)
        return NULL;
    /* which date and time combinations were given (bit order Y X M x W w d D) */
    int mask = 0;
    for (int i = 0; i < 8; i++)
        mask = (mask << 1) | (have[i] ? 1 : 0);
#define IS_TYPE(t) (!(~(t)&mask) && ((t)&mask))
    bool dateA = IS_TYPE(161), dateB = !dateA && IS_TYPE(130);
    bool dateC = IS_TYPE(84), dateD = !dateC && IS_TYPE(72);
    mask = 0;
    const char tm[] = "PHhmsf";
    for (int i = 0; i < 6; i++)
        mask = (mask << 1) | (have[comp_index(tm[i])] ? 1 : 0);
    bool timeA = IS_TYPE(23), timeB = !timeA && IS_TYPE(47);
#undef IS_TYPE
    char comps[16];
    snprintf(comps, sizeof(comps), "%s%s",
             dateB   ? "YD"
             : dateC ? "XxwF"
             : dateD ? "XWF"
                     : "YMD",
             timeB ? "Phmsf" : "Hmsf");
    struct civil now;
    double now_ms = (double)x->now_ms;
    to_civil(now_ms, &now);
    bool start = false, end = false;
    for (const char *c = comps; *c; c++) {
        int ci = comp_index(*c);
        if (!have[ci]) {
            if (start) {
                comp[ci] = strchr("MDd", *c) ? 1 : 0;
                end = true;
            } else {
                comp[ci] = *c == 'P' ? (now.hh >= 12) : fragment(&now, now_ms, *c);
            }
            have[ci] = true;
        } else {
            start = true;
            if (end)
                jsonata_throw(
                    x, "D3136", pos,
                    "the date/time picture string is missing specifiers required to "
                    "parse the timestamp");
        }
    }
    if (dateC || dateD)
        jsonata_throw(
            x, "D3136", pos,
            "the date/time picture string is missing specifiers required to parse "
            "the timestamp");
    for (int i = 0; i < 17; i++)
        if (have[i] && !(fabs(comp[i]) < 1e9))
            return NULL;
    double Y = comp[comp_index('Y')];
    int M = (int)comp[comp_index('M')];
    double D = comp[comp_index('D')];
    if (M < 1)
        M = 1;
    double days;
    if (dateB) {
        days = days_from_civil(Y, 1, 1) + comp[comp_index('d')] - 1;
    } else {
        /* months and days beyond their range roll over, as Date.UTC does */
        double yy = Y + floor((M - 1) / 12.0);
        int mm = (M - 1) % 12 + 1;
        days = days_from_civil(yy, mm, 1) + D - 1;
    }
    double H = comp[comp_index('H')];
    if (timeB) {
        double h = comp[comp_index('h')];
        H = h == 12 ? 0 : h;
        if (comp[comp_index('P')] == 1)
            H += 12;
    }
    double ms = days * DAY_MS + H * 3600000.0 + comp[comp_index('m')] * 60000.0 +
                comp[comp_index('s')] * 1000.0 + comp[comp_index('f')];
    int zi = have[comp_index('Z')]   ? comp_index('Z')
             : have[comp_index('z')] ? comp_index('z')
                                     : -1;
    if (zi >= 0)
        ms -= comp[zi] * 60000.0;
    return jsonata_num(x, ms);
}
