/*
 * The `Dates:` extension on Pass states (SPEC section 3): date arithmetic without a
 * Lambda. Each entry (a shift, an alignment and an XPath picture) becomes a term of
 * one JSONata Output that merges {"dates": {...}} into the input; the state turns into
 * a JSONata Pass. JSONata only knows fixed UTC offsets, so the workflow's zone is
 * reduced to one offset, read from the zone at fixed reference dates.
 */
#include "ext.h"

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "schedule.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_DAY 86400000LL

/* Reference instants for the zone offset: mid-January and mid-July 2026, noon UTC. */
#define REF_JANUARY INT64_C(1768478400)
#define REF_JULY    INT64_C(1784116800)

/* ---- shifts ------------------------------------------------------------------------ */

static const struct {
    const char *unit;
    long months;
    long long ms;
} shift_units[] = {
    /* longest first: "mo" before "m" */
    {"mo", 1, 0},         {"y", 12, 0},        {"w", 0, 7 * MS_PER_DAY},
    {"d", 0, MS_PER_DAY}, {"h", 0, 3600000LL}, {"m", 0, 60000LL},
    {"s", 0, 1000LL},
};

#define SHIFT_MAX 100000L /* per term: enough for any calendar use */

static int shift_fail(size_t *bad, size_t at)
{
    *bad = at;
    return -1;
}

int ext_dates_parse_shift(const char *s, struct ext_shift *out, size_t *bad)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    bool first = true;
    while (isspace((unsigned char)s[i]))
        i++;
    if (!s[i])
        return shift_fail(bad, i);
    while (s[i]) {
        long sign = 1;
        if (s[i] == '+' || s[i] == '-')
            sign = s[i++] == '-' ? -1 : 1;
        else if (!first)
            return shift_fail(bad, i);
        if (!isdigit((unsigned char)s[i]))
            return shift_fail(bad, i);
        long n = 0;
        while (isdigit((unsigned char)s[i])) {
            n = n * 10 + (s[i++] - '0');
            if (n > SHIFT_MAX)
                return shift_fail(bad, i);
        }
        size_t u = 0;
        while (u < ARRAY_SIZE(shift_units) &&
               strncmp(s + i, shift_units[u].unit, strlen(shift_units[u].unit)))
            u++;
        if (u == ARRAY_SIZE(shift_units))
            return shift_fail(bad, i);
        i += strlen(shift_units[u].unit);
        out->months += sign * n * shift_units[u].months;
        out->ms += sign * n * shift_units[u].ms;
        first = false;
        while (isspace((unsigned char)s[i]))
            i++;
    }
    return 0;
}

/* ---- pictures ---------------------------------------------------------------------- */

int ext_dates_check_picture(const char *s, size_t *bad, const char **why)
{
    /* XPath F&O 9.8.4.1 component specifiers. */
    static const char markers[] = "YMDdFWwXxHhPmsfZzCE";
    size_t components = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == ']') {
            if (s[i + 1] == ']') {
                i++;
                continue;
            }
            *bad = i;
            *why = "a literal ']' must be written ']]'";
            return -1;
        }
        if (s[i] != '[')
            continue;
        if (s[i + 1] == '[') {
            i++;
            continue;
        }
        size_t start = i++;
        while (isspace((unsigned char)s[i]))
            i++;
        if (!s[i] || !strchr(markers, s[i])) {
            *bad = start;
            *why = s[i] ? "unknown component: use Y, M, D, d, F, W, w, X, x, H, h, P, m, "
                          "s, f, Z, z, C or E"
                        : "'[' is not closed by ']'";
            return -1;
        }
        while (s[i] && s[i] != ']' && s[i] != '[')
            i++;
        if (s[i] != ']') {
            *bad = start;
            *why = "'[' is not closed by ']'";
            return -1;
        }
        components++;
    }
    if (!components) {
        *bad = 0;
        *why = "no [component] in it, so every run gets the same text (strftime's %Y is "
               "[Y0001] here)";
        return -1;
    }
    return 0;
}

/* ---- zone offset ------------------------------------------------------------------ */

int ext_dates_zone_offset(const char *tz, long *std_off, long *dst_off)
{
    struct sched_civil civ;
    char abbr[16];
    long jan, jul;
    if (sched_localtime(REF_JANUARY, tz, &civ, &jan, abbr) ||
        sched_localtime(REF_JULY, tz, &civ, &jul, abbr))
        return -1;
    *std_off = jan < jul ? jan : jul;
    *dst_off = jan < jul ? jul : jan;
    return 0;
}

void ext_dates_offset_text(long off, char buf[8])
{
    long a = off < 0 ? -off : off;
    snprintf(buf, 8, "%c%02ld%02ld", off < 0 ? '-' : '+', (a / 3600) % 100, a / 60 % 60);
}

/* ---- the expression ---------------------------------------------------------------- */

enum dates_from { FROM_AUTO, FROM_SCHEDULED, FROM_NOW };
enum dates_at { AT_NONE, AT_START_DAY, AT_END_DAY, AT_START_MONTH, AT_END_MONTH };

static const char *const from_names[] = {"auto", "scheduled_time", "now"};
static const char *const at_names[] = {"", "start_of_day", "end_of_day", "start_of_month",
                                       "end_of_month"};

/* JSONata helpers on local wall-clock milliseconds, and what each one needs. */
enum helper { H_DIM, H_YMD, H_MKDAY, H_ADDMONTHS, H_SOD, H_EOD, H_SOM, H_EOM, H__COUNT };

static const struct {
    const char *text;
    unsigned needs; /* bit mask of other helpers */
} helpers[H__COUNT] = {
    [H_DIM] = {"$dim := function($y, $m) { $m = 2 ? (($y % 4 = 0 and $y % 100 != 0) or "
               "$y % 400 = 0 ? 29 : 28) : ($m in [4, 6, 9, 11] ? 30 : 31) }",
               0},
    [H_YMD] = {"$ymd := function($t) { $map($split($fromMillis($t, '[Y1]-[M1]-[D1]'), "
               "'-'), function($v) { $number($v) }) }",
               0},
    [H_MKDAY] =
        {"$mkday := function($y, $m, $d) { $toMillis($formatInteger($y, '0001') & "
         "'-' & $formatInteger($m, '01') & '-' & $formatInteger($d, '01')) }",
         0},
    [H_ADDMONTHS] =
        {"$addMonths := function($t, $k) { ($p := $ymd($t); $i := $p[0] * 12 + "
         "$p[1] - 1 + $k; $y := $floor($i / 12); $m := $i % 12 + 1; "
         "$mkday($y, $m, $min([$p[2], $dim($y, $m)])) + $t % 86400000) }",
         1u << H_DIM | 1u << H_YMD | 1u << H_MKDAY},
    [H_SOD] = {"$sod := function($t) { $t - $t % 86400000 }", 0},
    [H_EOD] = {"$eod := function($t) { $t - $t % 86400000 + 86399999 }", 0},
    [H_SOM] = {"$som := function($t) { ($p := $ymd($t); $mkday($p[0], $p[1], 1)) }",
               1u << H_YMD | 1u << H_MKDAY},
    [H_EOM] = {"$eom := function($t) { ($p := $ymd($t); $mkday($p[0], $p[1], $dim($p[0], "
               "$p[1])) + 86399999) }",
               1u << H_DIM | 1u << H_YMD | 1u << H_MKDAY},
};

static const enum helper at_helper[] = {H__COUNT, H_SOD, H_EOD, H_SOM, H_EOM};

/* One entry of the Dates mapping, checked. */
struct dates_entry {
    const char *name;
    struct ext_shift shift;
    enum dates_at at;
    enum dates_from from;
    const char *format;
};

#define DEFAULT_PICTURE "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01][Z01:01]"

struct dates {
    struct ext_ctx *x;
    struct ext_site *s;
    struct dates_entry *v;
    size_t n;
    unsigned helpers; /* bit mask of enum helper */
    bool uses[3];     /* by enum dates_from */
    int rc;
};

static int lookup_name(const char *s, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, names[i]) && *names[i])
            return (int)i;
    return -1;
}

static const char *const entry_fields[] = {"shift", "at", "format", "from", NULL};

/* Reads one entry (a picture string, or a mapping of the fields above). */
static void read_entry(struct dates *d, const json_t *map, const char *name,
                       struct dates_entry *e)
{
    struct ydoc *doc = d->x->def;
    const json_t *v = json_object_get(map, name);
    *e = (struct dates_entry){.name = name, .format = DEFAULT_PICTURE};
    if (json_is_string(v)) {
        e->format = json_string_value(v);
    } else if (!json_is_object(v)) {
        d->rc = diag_add(d->x->dl, D_EXT_FIELD_VALUE, yload_member_loc(doc, map, name),
                         "Dates entry '%s' must be a picture string or a mapping", name);
        diag_note(d->x->dl, "e.g. %s: { shift: -1d, format: \"[Y0001]-[M01]-[D01]\" }",
                  name);
        return;
    } else {
        char *what = xasprintf("Dates entry '%s'", name);
        if (expand_check_keys(d->x, v, what, entry_fields, NULL, yload_loc(doc, v)))
            d->rc = -1;
        free(what);
        static const char *const strs[] = {"shift", "at", "format", "from"};
        for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
            const json_t *f = json_object_get(v, strs[i]);
            if (f && !json_is_string(f))
                d->rc = diag_add(
                    d->x->dl, D_EXT_FIELD_VALUE, yload_member_loc(doc, v, strs[i]),
                    "'%s' of Dates entry '%s' must be a string", strs[i], name);
        }
        const char *shift = json_string_value(json_object_get(v, "shift"));
        size_t bad;
        if (shift && ext_dates_parse_shift(shift, &e->shift, &bad)) {
            d->rc = diag_add(d->x->dl, D_EXT_DATES_SHIFT,
                             yload_member_subloc(doc, v, "shift", bad, 1),
                             "malformed shift '%s' in Dates entry '%s'", shift, name);
            diag_note(d->x->dl, "write signed amounts with units y, mo, w, d, h, m or s, "
                                "e.g. -1d, +9h or -1mo-1d");
        }
        const char *at = json_string_value(json_object_get(v, "at"));
        int a = at ? lookup_name(at, at_names, ARRAY_SIZE(at_names)) : 0;
        if (a < 0) {
            d->rc = diag_add(d->x->dl, D_EXT_FIELD_VALUE, yload_member_loc(doc, v, "at"),
                             "'at' of Dates entry '%s' must be start_of_day, end_of_day, "
                             "start_of_month or end_of_month, not '%s'",
                             name, at);
            a = 0;
        }
        e->at = (enum dates_at)a;
        const char *from = json_string_value(json_object_get(v, "from"));
        int f = from ? lookup_name(from, from_names, ARRAY_SIZE(from_names)) : 0;
        if (f < 0) {
            d->rc =
                diag_add(d->x->dl, D_EXT_FIELD_VALUE, yload_member_loc(doc, v, "from"),
                         "'from' of Dates entry '%s' must be scheduled_time, now or "
                         "auto, not '%s'",
                         name, from);
            f = 0;
        }
        e->from = (enum dates_from)f;
        const char *format = json_string_value(json_object_get(v, "format"));
        if (format)
            e->format = format;
    }
    size_t bad;
    const char *why;
    if (ext_dates_check_picture(e->format, &bad, &why)) {
        struct loc loc = json_is_string(v)
                             ? yload_member_subloc(doc, map, name, bad, 1)
                             : yload_member_subloc(doc, v, "format", bad, 1);
        d->rc = diag_add(d->x->dl, D_EXT_DATES_PICTURE, loc,
                         "malformed picture string in Dates entry '%s': %s", name, why);
        diag_note(d->x->dl,
                  "pictures follow XPath fn:format-dateTime, e.g. "
                  "\"[Y0001]-[M01]-[D01]\"; write [[ and ]] for literal brackets");
    }
    d->uses[e->from] = true;
    if (e->shift.months)
        d->helpers |= 1u << H_ADDMONTHS;
    if (e->at)
        d->helpers |= 1u << at_helper[e->at];
}

/* Adds the helpers' own dependencies to the mask. */
static unsigned close_helpers(unsigned mask)
{
    for (int h = 0; h < H__COUNT; h++)
        if (mask & 1u << h)
            mask |= helpers[h].needs;
    return mask;
}

static const char *const from_vars[] = {"$base", "$scheduled", "$started"};
static const char *const from_exprs[] = {
    "$toMillis($exists($states.input.scheduled_time) ? $states.input.scheduled_time : "
    "$states.context.Execution.StartTime)",
    "$exists($states.input.scheduled_time) ? $toMillis($states.input.scheduled_time) : "
    "$error('Dates: the state input has no scheduled_time')",
    "$toMillis($states.context.Execution.StartTime)",
};

/* The instant of one entry, in UTC milliseconds, as a JSONata expression. */
static void entry_instant(struct strbuf *sb, const struct dates_entry *e)
{
    bool local = e->shift.months || e->at;
    if (!local) {
        strbuf_adds(sb, from_vars[e->from]);
        if (e->shift.ms)
            strbuf_addf(sb, " %c %lld", e->shift.ms < 0 ? '-' : '+',
                        e->shift.ms < 0 ? -e->shift.ms : e->shift.ms);
        return;
    }
    static const char *const at_fn[] = {"", "$sod", "$eod", "$som", "$eom"};
    struct strbuf t = STRBUF_INIT;
    strbuf_addf(&t, "%s + $off", from_vars[e->from]);
    if (e->shift.months) {
        char *prev = strbuf_detach(&t, NULL);
        strbuf_addf(&t, "$addMonths(%s, %ld)", prev, e->shift.months);
        free(prev);
    }
    if (e->shift.ms)
        strbuf_addf(&t, " %c %lld", e->shift.ms < 0 ? '-' : '+',
                    e->shift.ms < 0 ? -e->shift.ms : e->shift.ms);
    if (e->at)
        strbuf_addf(sb, "%s(%s) - $off", at_fn[e->at], t.buf);
    else
        strbuf_addf(sb, "%s - $off", t.buf);
    strbuf_release(&t);
}

/* The Output expression: bindings, helpers, then the merged input. */
static char *output_expr(struct dates *d, const char *tz)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "{% (");
    strbuf_adds(&sb, "$tz := ");
    expand_jsonata_quote(&sb, tz);
    bool local = false;
    for (size_t i = 0; i < d->n; i++)
        local |= d->v[i].shift.months || d->v[i].at;
    if (local) {
        long sign = tz[0] == '-' ? -1 : 1;
        long off = sign * ((tz[1] - '0') * 36000L + (tz[2] - '0') * 3600L +
                           (tz[3] - '0') * 600L + (tz[4] - '0') * 60L);
        strbuf_addf(&sb, "; $off := %ld", off * 1000);
    }
    for (int f = 0; f < 3; f++)
        if (d->uses[f])
            strbuf_addf(&sb, "; %s := %s", from_vars[f], from_exprs[f]);
    unsigned mask = close_helpers(d->helpers);
    for (int h = 0; h < H__COUNT; h++)
        if (mask & 1u << h)
            strbuf_addf(&sb, "; %s", helpers[h].text);
    strbuf_adds(&sb,
                "; $merge([$states.input, {'dates': $merge([$type($states.input.dates) "
                "= 'object' ? $states.input.dates : {}, {");
    for (size_t i = 0; i < d->n; i++) {
        const struct dates_entry *e = &d->v[i];
        strbuf_adds(&sb, i ? ", " : "");
        expand_jsonata_quote(&sb, e->name);
        strbuf_adds(&sb, ": $fromMillis(");
        entry_instant(&sb, e);
        strbuf_adds(&sb, ", ");
        expand_jsonata_quote(&sb, e->format);
        strbuf_adds(&sb, ", $tz)");
    }
    strbuf_adds(&sb, "}])}])) %}");
    return strbuf_detach(&sb, NULL);
}

/* ---- the expander ------------------------------------------------------------------ */

/* Pass fields that belong to JSONPath, or that the extension writes itself. */
static const char *const dates_conflicts[] = {"Parameters", "Result",     "ResultPath",
                                              "InputPath",  "OutputPath", "Output"};

static void check_state(struct dates *d)
{
    json_t *st = d->s->state;
    struct ydoc *doc = d->x->def;
    for (size_t i = 0; i < ARRAY_SIZE(dates_conflicts); i++) {
        if (!json_object_get(st, dates_conflicts[i]))
            continue;
        d->rc = diag_add(d->x->dl, D_EXT_FIELD_CONFLICT,
                         yload_key_loc(doc, st, dates_conflicts[i]),
                         "'%s' cannot be used together with 'Dates'", dates_conflicts[i]);
        diag_note(d->x->dl,
                  "'Dates' compiles state '%s' to a JSONata Pass whose Output is "
                  "the input plus $.dates",
                  d->s->name);
    }
    const char *ql = json_string_value(json_object_get(st, "QueryLanguage"));
    if (ql && !strcmp(ql, "JSONPath"))
        d->rc = diag_add(
            d->x->dl, D_EXT_FIELD_CONFLICT, yload_member_loc(doc, st, "QueryLanguage"),
            "'Dates' compiles state '%s' to JSONata, not JSONPath", d->s->name);
    const json_t *assign = json_object_get(st, "Assign");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)assign, k, v)
    {
        size_t n = strlen(k);
        if (n < 2 || strcmp(k + n - 2, ".$"))
            continue;
        d->rc = diag_add(d->x->dl, D_EXT_FIELD_CONFLICT, yload_key_loc(doc, assign, k),
                         "'%s' is a JSONPath Assign key, but 'Dates' makes state '%s' a "
                         "JSONata state",
                         k, d->s->name);
        diag_note(d->x->dl, "write \"%.*s\": \"{%% ... %%}\" instead", (int)(n - 2), k);
    }
}

/* The zone's offset as "+0900"; a zone with daylight saving time gets a warning. */
static void zone_offset(struct dates *d, char tz[8])
{
    const char *zone = d->x->wf ? d->x->wf->timezone : "UTC";
    long std_off = 0, dst_off = 0;
    if (ext_dates_zone_offset(zone, &std_off, &dst_off))
        std_off = dst_off = 0; /* the catalog check reports the zone */
    ext_dates_offset_text(std_off, tz);
    if (std_off == dst_off)
        return;
    char dst[8];
    ext_dates_offset_text(dst_off, dst);
    diag_add(d->x->dl, D_EXT_DATES_DST, yload_key_loc(d->x->def, d->s->state, "Dates"),
             "time zone '%s' observes daylight saving time, but Dates computes with the "
             "fixed offset %s",
             zone, tz);
    diag_note(d->x->dl,
              "JSONata takes fixed UTC offsets: while %s is in effect, times are "
              "one hour behind the local clock (a date only changes within an "
              "hour of midnight)",
              dst);
}

int ext_dates_expand(struct ext_ctx *x, struct ext_site *s)
{
    struct dates d = {.x = x, .s = s};
    struct ydoc *doc = x->def;
    const json_t *map = s->value;
    if (!json_is_object(map) || !json_object_size(map))
        return diag_add(x->dl, D_EXT_FIELD_VALUE,
                        yload_member_loc(doc, s->state, "Dates"),
                        "'Dates' of state '%s' must map result names to dates", s->name);
    check_state(&d);
    d.v = xcalloc(json_object_size(map), sizeof(*d.v));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)map, k, v) read_entry(&d, map, k, &d.v[d.n++]);
    if (d.rc == 0) {
        char tz[8];
        zone_offset(&d, tz);
        char *expr = output_expr(&d, tz);
        json_t *gen = json_object();
        if (!x->machine_jsonata)
            json_object_set_new(gen, "QueryLanguage", json_string("JSONata"));
        json_object_set_new(gen, "Output", json_string(expr));
        free(expr);
        expand_splice(s->state, "Dates", EXPAND_REPLACE, gen);
    }
    free(d.v);
    return d.rc;
}
