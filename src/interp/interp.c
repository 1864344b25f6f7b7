/*
 * The executor: sets up one execution (names, Context object, virtual clock, random
 * generator), walks a (sub-)machine state by state, and drives each state visit
 * through its attempts, retries and catchers, committing variables and writing the
 * Entered/Exited events. State-type behaviour lives in states.c, task.c, choice.c
 * and map.c.
 */
#include "interp/interp.h"

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/jout.h"
#include "interp/exec.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ==== time
 * ================================================================================ */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned char len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : len[m - 1];
}

int time_parse(const char *s, int64_t *sec, long *nsec)
{
    unsigned y, mo, d, h, mi, se;
    if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
        s[7] != '-' || digits(s + 8, 2, &d) || s[10] != 'T' || digits(s + 11, 2, &h) ||
        s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 ||
        se > 59)
        return -1;
    const char *p = s + 19;
    long ns = 0;
    if (*p == '.') {
        int n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 9)
                ns = ns * 10 + (*p - '0');
        if (n == 0)
            return -1;
        for (; n < 9; n++)
            ns *= 10;
    }
    int64_t off = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        unsigned oh, om;
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 ||
            om > 59)
            return -1;
        off = (int64_t)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    *sec = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
    *nsec = ns;
    return 0;
}

int interp_parse_time(const char *s, int64_t *ms)
{
    int64_t sec;
    long ns;
    if (time_parse(s, &sec, &ns))
        return -1;
    *ms = sec * 1000 + ns / 1000000;
    return 0;
}

void interp_format_time(int64_t ms, char *buf)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    if (y >= 0 && y <= 9999) { /* the usual case, without printf's cost */
        /* two digits per field; seps[i] goes before field i */
        unsigned f[] = {(unsigned)y / 100,
                        (unsigned)y % 100,
                        m,
                        d,
                        (unsigned)(rem / 3600000),
                        (unsigned)(rem / 60000 % 60),
                        (unsigned)(rem / 1000 % 60)};
        static const char seps[] = "\0\0--T::";
        char *p = buf;
        for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
            if (seps[i])
                *p++ = seps[i];
            *p++ = (char)('0' + f[i] / 10);
            *p++ = (char)('0' + f[i] % 10);
        }
        unsigned frac = (unsigned)(rem % 1000);
        p[0] = '.';
        p[1] = (char)('0' + frac / 100);
        p[2] = (char)('0' + frac / 10 % 10);
        p[3] = (char)('0' + frac % 10);
        p[4] = 'Z';
        p[5] = '\0';
        return;
    }
    char tmp[96];
    snprintf(tmp, sizeof(tmp), "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, m,
             d, (unsigned)(rem / 3600000), (unsigned)(rem / 60000 % 60),
             (unsigned)(rem / 1000 % 60), (unsigned)(rem % 1000));
    size_t n = strlen(tmp) < 31 ? strlen(tmp) : 31;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
}

/* ==== failures, randomness
 * ============================================================== */

void fail_release(struct fail *f)
{
    free(f->error);
    free(f->cause);
    memset(f, 0, sizeof(*f));
}

void fail_move(struct fail *dst, struct fail *src)
{
    *dst = *src;
    memset(src, 0, sizeof(*src));
}

uint64_t exec_random(struct exec *ex)
{
    uint64_t z = (ex->rng += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void exec_uuid(struct exec *ex, char *buf)
{
    uint64_t hi = exec_random(ex), lo = exec_random(ex);
    hi = (hi & ~UINT64_C(0xf000)) | UINT64_C(0x4000);
    lo = (lo & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);
    /* 8-4-4-4-12 lowercase hex digits of hi then lo (a distributed Map makes one per
       child: without printf) */
    static const char hex[] = "0123456789abcdef";
    char *p = buf;
    for (int i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20)
            *p++ = '-';
        uint64_t w = i < 16 ? hi : lo;
        *p++ = hex[(w >> (60 - 4 * (i % 16))) & 0xf];
    }
    *p = '\0';
}

int exec_advance(struct thread *t, int64_t ms, struct fail *f)
{
    if (ms < 0)
        ms = 0;
    if (t->ex->deadline - t->now < ms) {
        t->now = t->ex->deadline;
        fail_release(f);
        f->kind = FK_TIMED_OUT;
        f->error = xstrdup("States.Timeout");
        f->cause = NULL;
        return -1;
    }
    t->now += ms;
    return 0;
}

void exec_note(struct thread *t, enum interp_note_kind kind, const char *state,
               const char *from, int index)
{
    const struct interp_observer *obs = t->ex->o->observer;
    if (!obs || !obs->note)
        return;
    struct interp_note n = {kind, state, from, index};
    obs->note(obs->arg, &n);
}

void exec_trace(struct visit *v, const char *what, json_t *value)
{
    FILE *out = v->t->ex->o->trace;
    if (!out)
        return;
    char when[32];
    interp_format_time(v->t->now, when);
    char *text = value ? jout_compact(value) : NULL;
    fprintf(out, "trace: %s %s '%s' %s%s%s\n", when, v->type ? v->type->name : "?",
            v->name, what, text ? ": " : "", text ? text : "");
    free(text);
}

/* ==== visits: failures and the pipeline
 * ================================================== */

char *visit_prefix(const struct visit *v)
{
    return xasprintf(
        "An error occurred while executing the state '%s' (entered at the event "
        "id #%ld). ",
        v->name, v->entered_id);
}

static void set_fail(struct visit *v, enum fail_kind kind, const char *error, char *cause)
{
    fail_release(&v->f);
    v->f.kind = kind;
    v->f.error = error ? xstrdup(error) : NULL;
    v->f.cause = cause;
}

int visit_runtime(struct visit *v, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    char *pre = visit_prefix(v);
    strbuf_adds(&sb, pre);
    free(pre);
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    set_fail(v, FK_RUNTIME, "States.Runtime", strbuf_detach(&sb, NULL));
    return -1;
}

int visit_expr_fail(struct visit *v, struct expr_err *err)
{
    char *pre = visit_prefix(v);
    char *cause = xasprintf("%s%s", pre, err->cause ? err->cause : "");
    free(pre);
    const char *name = err->name ? err->name : "States.Runtime";
    set_fail(v, strcmp(name, "States.Runtime") ? FK_ERROR : FK_RUNTIME, name, cause);
    if (err->location) {
        json_t *d = NULL;
        if (v->t->ex->events) {
            d = json_object();
            json_object_set_new(d, "error", json_string(name));
            json_object_set_new(d, "cause", json_string(cause));
            json_object_set_new(d, "location", json_string(err->location));
            json_object_set_new(d, "state", json_string(v->name));
        }
        hist_add(v->t, "EvaluationFailed", "evaluationFailedEventDetails", d);
    }
    expr_err_release(err);
    return -1;
}

int visit_query_fail(struct visit *v, const char *field, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    struct expr_err err = {EXPR_QUERY_ERROR, strbuf_detach(&sb, NULL), xstrdup(field)};
    return visit_expr_fail(v, &err);
}

int visit_error(struct visit *v, const char *error, const char *cause)
{
    set_fail(v, FK_ERROR, error, cause ? xstrdup(cause) : NULL);
    return -1;
}

/*
 * Adds an upper bound of the compact JSON size of v to *acc, stopping once it passes
 * `limit`: a string byte is written as at most 6 bytes (\u00XX), a number as at most
 * 32. Cheaper than writing the text, and exact enough for small payloads.
 */
static void size_bound(json_t *v, size_t limit, size_t *acc)
{
    size_t n;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        *acc += 2;
        for (void *it = json_object_iter(v); it && *acc <= limit;
             it = json_object_iter_next(v, it)) {
            *acc += 6 * json_object_iter_key_len(it) + 4;
            size_bound(json_object_iter_value(it), limit, acc);
        }
        return;
    case JSON_ARRAY:
        *acc += 2;
        n = json_array_size(v);
        for (size_t i = 0; i < n && *acc <= limit; i++) {
            *acc += 1;
            size_bound(json_array_get(v, i), limit, acc);
        }
        return;
    case JSON_STRING:
        *acc += 6 * json_string_length(v) + 2;
        return;
    default:
        *acc += 32;
        return;
    }
}

int visit_check_size(struct visit *v, json_t *value)
{
    if (value == v->input && v->input_ok)
        return 0; /* passed on unchanged: it was checked as the previous output */
    size_t bound = 0;
    size_bound(value, PAYLOAD_LIMIT, &bound);
    if (bound <= PAYLOAD_LIMIT || jout_compact_size(value) <= PAYLOAD_LIMIT)
        return 0;
    set_fail(v, FK_DATA_LIMIT, "States.DataLimitExceeded",
             xasprintf("The state/task '%s' returned a result with a size exceeding the "
                       "maximum number of bytes service limit.",
                       v->name));
    return -1;
}

/* The state's path field (a string), compiled on first use. */
static const struct expr_comp *state_path(struct visit *v, enum spath which, json_t *text,
                                          enum jpath_kind kind)
{
    struct state_plan *p = v->plan;
    if (!p->path[which])
        p->path[which] = expr_comp_new(json_string_value(text), kind);
    return p->path[which];
}

/* InputPath / OutputPath: absent = "$", null = {}. */
static int apply_path_field(struct visit *v, enum sfield f, enum spath which,
                            const char *field, json_t *doc, json_t **out)
{
    json_t *p = vfield(v, f);
    if (!p) {
        *out = json_incref(doc);
        return 0;
    }
    if (json_is_null(p)) {
        *out = json_object();
        return 0;
    }
    if (!json_is_string(p))
        return visit_runtime(v, "The field '%s' must be a string or null", field);
    struct expr_err err = {0};
    if (expr_path_c(&v->env, state_path(v, which, p, JPATH_PATH), doc, out, &err))
        return visit_expr_fail(v, &err);
    return 0;
}

int pipe_input_path(struct visit *v, json_t **out)
{
    return apply_path_field(v, SF_INPUT_PATH, SP_INPUT_PATH, "InputPath", v->input, out);
}

int pipe_output_path(struct visit *v, json_t *doc, json_t **out)
{
    return apply_path_field(v, SF_OUTPUT_PATH, SP_OUTPUT_PATH, "OutputPath", doc, out);
}

/* The state field of each compiled template. */
static const enum sfield tmpl_field[ST_COUNT] = {
    [ST_PARAMETERS] = SF_PARAMETERS,
    [ST_RESULT_SELECTOR] = SF_RESULT_SELECTOR,
    [ST_ITEM_SELECTOR] = SF_ITEM_SELECTOR,
    [ST_ASSIGN] = SF_ASSIGN,
};

const struct expr_tmpl *plan_tmpl(struct visit *v, enum stmpl which)
{
    struct state_plan *p = v->plan;
    if (!p->tmpl[which])
        p->tmpl[which] = expr_tmpl_compile(p->f[tmpl_field[which]]);
    return p->tmpl[which];
}

/* Evaluates the state's template `which` (present) against doc. Returns 0 or -1. */
static int eval_tmpl(struct visit *v, enum stmpl which, json_t *doc, json_t **out)
{
    struct expr_err err = {0};
    if (expr_tmpl_eval(&v->env, plan_tmpl(v, which), doc, out, &err))
        return visit_expr_fail(v, &err);
    return 0;
}

int pipe_template(struct visit *v, enum stmpl which, json_t *doc, json_t **out)
{
    if (!vfield(v, tmpl_field[which])) {
        *out = json_incref(doc);
        return 0;
    }
    return eval_tmpl(v, which, doc, out);
}

int pipe_result_path(struct visit *v, json_t *holder, json_t *result, json_t **out)
{
    json_t *rp = holder == v->state ? vfield(v, SF_RESULT_PATH)
                                    : json_object_get(holder, "ResultPath");
    if (!rp) {
        *out = json_incref(result);
        return 0;
    }
    if (json_is_null(rp)) {
        *out = json_incref(v->input);
        return 0;
    }
    if (!json_is_string(rp))
        return visit_runtime(v, "The field 'ResultPath' must be a string or null");
    struct expr_err err = {0};
    int rc = holder == v->state
                 ? expr_assign_path_c(&v->env,
                                      state_path(v, SP_RESULT_PATH, rp, JPATH_REFERENCE),
                                      v->input, result, out, &err)
                 : expr_assign_path(&v->env, json_string_value(rp), v->input, result, out,
                                    &err);
    if (rc)
        return visit_expr_fail(v, &err);
    return 0;
}

int pipe_assign(struct visit *v, json_t *assign, json_t *doc)
{
    if (!assign)
        return 0;
    if (!json_is_object(assign))
        return visit_runtime(v, "The field 'Assign' must be an object");
    json_t *vals;
    struct expr_err err = {0};
    if (assign == vfield(v, SF_ASSIGN)) {
        if (eval_tmpl(v, ST_ASSIGN, doc, &vals))
            return -1;
    } else if (expr_template(&v->env, assign, doc, &vals, &err)) {
        return visit_expr_fail(v, &err);
    }
    json_decref(v->assigned);
    v->assigned = vals;
    return 0;
}

int visit_jsonata(struct visit *v, const char *field, json_t *value, enum expr_want want,
                  json_t **out)
{
    struct expr_err err = {0};
    v->env.now_ms = v->t->now;
    if (expr_jsonata(&v->env, field, value, want, out, &err))
        return visit_expr_fail(v, &err);
    return 0;
}

int visit_ja_integer(struct visit *v, const char *field, json_t *value, int64_t min,
                     int64_t max, int64_t *out)
{
    json_t *val;
    if (visit_jsonata(v, field, value, EXPR_WANT_INTEGER, &val))
        return -1;
    double d = json_number_value(val);
    bool is_int = json_is_integer(val) ||
                  (json_is_real(val) && d > -9e18 && d < 9e18 && d == floor(d));
    int64_t n = json_is_integer(val) ? (int64_t)json_integer_value(val)
                : is_int             ? (int64_t)d
                                     : 0;
    if (is_int && n >= min && n <= max) {
        *out = n;
        json_decref(val);
        return 0;
    }
    char *text = jout_compact(val);
    json_decref(val);
    if (json_is_string(value) && expr_is_jsonata(json_string_value(value))) {
        char *what = xasprintf("returned an invalid value: %s (expected an integer "
                               "from %lld to %lld)",
                               text, (long long)min, (long long)max);
        struct expr_err err = {0};
        expr_jsonata_fail(field, json_string_value(value), what, &err);
        free(what);
        free(text);
        return visit_expr_fail(v, &err);
    }
    visit_runtime(v, "The field '%s' must be an integer from %lld to %lld, but was: %s",
                  field, (long long)min, (long long)max, text);
    free(text);
    return -1;
}

void visit_bind(struct visit *v, const char *member, json_t *value)
{
    if (!v->states)
        return;
    if (value)
        json_object_set(v->states, member, value);
    else
        json_object_del(v->states, member);
}

int pipe_ja_tail(struct visit *v, json_t *holder, const char *prefix, json_t *dflt)
{
    json_t *assign = json_object_get(holder, "Assign");
    json_t *output = json_object_get(holder, "Output");
    char field[64];
    if (assign) {
        if (!json_is_object(assign))
            return visit_runtime(v, "The field 'Assign' must be an object");
        json_t *vals;
        snprintf(field, sizeof(field), "%sAssign", prefix);
        if (visit_jsonata(v, field, assign, EXPR_WANT_ANY, &vals))
            return -1;
        json_decref(v->assigned);
        v->assigned = vals;
    }
    json_decref(v->output);
    v->output = NULL;
    if (!output) {
        v->output = json_incref(dflt);
        return 0;
    }
    snprintf(field, sizeof(field), "%sOutput", prefix);
    return visit_jsonata(v, field, output, EXPR_WANT_ANY, &v->output);
}

json_t *visit_context_with_item(struct visit *v, json_t *index, json_t *value)
{
    json_t *ctx = json_copy(visit_ctx(v));
    json_t *item = json_object();
    json_object_set(item, "Index", index);
    json_object_set(item, "Value", value);
    json_t *map = json_object();
    json_object_set_new(map, "Item", item);
    json_object_set_new(ctx, "Map", map);
    return ctx;
}

/* ==== one visit
 * =========================================================================== */

/* Builds this attempt's Context object. */
static json_t *build_context(struct visit *v)
{
    json_t *ctx = json_copy(exec_ctx_base(v->t->ex));
    json_t *st = json_object();
    char when[32];
    interp_format_time(v->entered_ms, when);
    json_object_set_new(st, "Name", json_string(v->name));
    json_object_set_new(st, "EnteredTime", json_string(when));
    if (v->type->can_retry)
        json_object_set_new(st, "RetryCount", json_integer(v->retry_count));
    json_object_set_new(ctx, "State", st);
    return ctx;
}

json_t *visit_ctx(struct visit *v)
{
    if (!v->context)
        v->context = build_context(v);
    return v->context;
}

static json_t *context_fn(void *arg)
{
    return visit_ctx(arg);
}

/*
 * Sets up this attempt's evaluation environment. A JSONPath state builds its Context
 * object only when something reads it ($$ paths, task tokens, ItemSelector): its
 * parts (names, entered time, retry count) do not change during the attempt.
 */
static void visit_context(struct visit *v)
{
    json_decref(v->context);
    v->context = NULL;
    json_decref(v->states);
    v->states = NULL;
    if (v->jsonata) {
        v->states = json_object();
        json_object_set(v->states, "input", v->input);
        json_object_set(v->states, "context", visit_ctx(v));
    }
    v->env = (struct expr_env){.lang = v->jsonata ? EXPR_JSONATA : EXPR_JSONPATH,
                               .context = v->context,
                               .context_fn = context_fn,
                               .context_arg = v,
                               .vars = v->t->vars,
                               .rng = &v->t->ex->irng,
                               .states = v->states,
                               .now_ms = v->t->now};
}

static void visit_reset(struct visit *v)
{
    json_decref(v->output);
    json_decref(v->assigned);
    v->output = v->assigned = NULL;
    v->next = NULL;
    v->ended = false;
}

static void visit_release(struct visit *v)
{
    visit_reset(v);
    json_decref(v->context);
    json_decref(v->states);
    v->context = v->states = NULL;
    fail_release(&v->f);
}

/* Applies the matching catcher, if any. Returns 0 when caught, -1 otherwise. */
static int visit_catch(struct visit *v)
{
    if (v->f.kind == FK_RUNTIME || v->f.kind == FK_TIMED_OUT || v->f.kind == FK_HISTORY)
        return -1;
    json_t *catchers = vfield(v, SF_CATCH);
    int i = err_find(catchers, &v->f);
    if (i < 0)
        return -1;
    exec_note(v->t, INTERP_NOTE_CATCH, v->name, NULL, i);
    json_t *c = json_array_get(catchers, (size_t)i);
    json_t *eo = err_output(&v->f);
    exec_trace(v, "caught", eo);
    visit_reset(v);
    struct fail saved;
    fail_move(&saved, &v->f);
    int rc;
    if (v->jsonata) {
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "Catch[%d]/", i);
        visit_bind(v, "result", NULL);
        visit_bind(v, "errorOutput", eo);
        rc = pipe_ja_tail(v, c, prefix, eo);
    } else {
        rc = pipe_result_path(v, c, eo, &v->output);
        if (!rc)
            rc = pipe_assign(v, json_object_get(c, "Assign"), eo);
    }
    if (!rc)
        rc = visit_check_size(v, v->output);
    json_decref(eo);
    if (rc) {
        fail_release(&saved);
        return -1;
    }
    fail_release(&saved);
    v->next = json_string_value(json_object_get(c, "Next"));
    return 0;
}

/* Runs attempts until one succeeds, the retriers give up, or a catcher takes over. */
static int visit_attempts(struct visit *v)
{
    json_t *retry = vfield(v, SF_RETRY);
    size_t nret = json_is_array(retry) ? json_array_size(retry) : 0;
    unsigned few[8] = {0}; /* the usual case: no heap allocation per visit */
    unsigned *counters = nret <= ARRAY_SIZE(few) ? few : xcalloc(nret, sizeof(*counters));
    int rc;
    for (;;) {
        visit_context(v);
        rc = (v->jsonata ? v->type->run_ja : v->type->run)(v);
        if (!rc && v->output)
            rc = visit_check_size(v, v->output);
        if (!rc || !v->type->can_retry)
            break;
        visit_reset(v);
        int64_t delay;
        if (v->f.kind != FK_ERROR && v->f.kind != FK_DATA_LIMIT)
            break;
        int matched = err_find(retry, &v->f);
        if (matched >= 0)
            exec_note(v->t, INTERP_NOTE_RETRY, v->name, NULL, matched);
        if (!err_retry(v->t->ex, retry, &v->f, counters, nret, &delay)) {
            rc = visit_catch(v);
            break;
        }
        json_t *eo = err_output(&v->f);
        exec_trace(v, "retry after error", eo);
        json_decref(eo);
        fail_release(&v->f);
        if (exec_advance(v->t, delay, &v->f))
            break;
        v->retry_count++;
    }
    if (counters != few)
        free(counters);
    return rc;
}

/* Commits the visit's assigned variables and writes the *StateExited event. */
static void visit_exit(struct visit *v)
{
    json_t *vars_text = NULL;
    if (v->assigned) {
        const char *k;
        json_t *val;
        if (v->t->ex->events)
            vars_text = json_object();
        json_object_foreach(v->assigned, k, val)
        {
            json_object_set(v->t->vars, k, val);
            if (vars_text)
                json_object_set_new(vars_text, k, hist_text(val));
        }
    }
    exec_trace(v, "output", v->output);
    if (v->next && v->t->ex->o->trace) {
        json_t *n = json_string(v->next);
        exec_trace(v, "next", n);
        json_decref(n);
    }
    if (!v->type->has_exit) {
        json_decref(vars_text);
        return;
    }
    json_t *d = NULL;
    if (v->t->ex->events) {
        d = json_object();
        json_object_set_new(d, "name", json_string(v->name));
        json_object_set_new(d, "output", hist_text(v->output));
        json_object_set_new(d, "outputDetails", hist_truncated());
        if (vars_text) {
            json_object_set_new(d, "assignedVariables", vars_text);
            json_t *vd = json_object();
            json_object_set_new(vd, "truncated", json_false());
            json_object_set_new(d, "assignedVariablesDetails", vd);
            vars_text = NULL;
        }
    }
    json_decref(vars_text);
    hist_add_parts(v->t, v->type->name, "StateExited", "stateExitedEventDetails", NULL,
                   d);
}

static int visit_state(struct thread *t, const char *name, json_t *st, json_t *input,
                       bool input_ok, struct visit *v)
{
    memset(v, 0, sizeof(*v));
    v->t = t;
    v->name = name;
    v->state = st;
    v->input = input;
    v->input_ok = input_ok;
    v->entered_ms = t->now;
    v->plan = plan_of(t->ex, st);
    v->type = v->plan->type;
    if (!v->type) {
        const char *type = json_string_value(vfield(v, SF_TYPE));
        return visit_runtime(v, "The state has an unknown Type '%s'", type ? type : "");
    }
    json_t *d = NULL;
    if (t->ex->events) {
        d = json_object();
        json_object_set_new(d, "name", json_string(name));
        json_object_set_new(d, "input", hist_text(input));
        json_object_set_new(d, "inputDetails", hist_truncated());
    }
    if (t->ex->entered && !t->ex->history_full) /* the event will be in the history */
        json_array_append_new(t->ex->entered, json_string(name));
    v->entered_id = hist_add_parts(t, v->type->name, "StateEntered",
                                   "stateEnteredEventDetails", NULL, d);
    t->ex->nstates++;
    exec_trace(v, "input", input);
    const char *ql = json_string_value(vfield(v, SF_QUERY_LANGUAGE));
    if (!ql)
        ql = t->ex->top_ql;
    v->jsonata = ql && !strcmp(ql, "JSONata");
    if (visit_attempts(v))
        return -1;
    if (!v->next && !v->ended)
        v->next = json_string_value(vfield(v, SF_NEXT));
    visit_exit(v);
    return 0;
}

/* The state named by p's Next (or a machine's StartAt) in `states`, looked up once. */
static json_t *next_of(struct state_plan *p, json_t *states, const char *name)
{
    if (p->next_in != states) {
        p->next_in = states;
        p->next_state = json_object_get(states, name);
    }
    return p->next_state;
}

static int run_from(struct thread *t, json_t *states, const char *name, json_t *st,
                    json_t *input, json_t **out, struct fail *f);

int exec_machine(struct thread *t, json_t *machine, json_t *input, json_t **out,
                 struct fail *f)
{
    struct state_plan *mp = plan_of(t->ex, machine);
    json_t *states = mp->f[SF_STATES];
    const char *start = json_string_value(mp->f[SF_START_AT]);
    return run_from(t, states, start, start ? next_of(mp, states, start) : NULL, input,
                    out, f);
}

int exec_machine_from(struct thread *t, json_t *machine, const char *name, json_t *input,
                      json_t **out, struct fail *f)
{
    json_t *states = json_object_get(machine, "States");
    return run_from(t, states, name, name ? json_object_get(states, name) : NULL, input,
                    out, f);
}

/* Runs from state `name` (st: its object in `states`, or NULL when there is none). */
static int run_from(struct thread *t, json_t *states, const char *name, json_t *st,
                    json_t *input, json_t **out, struct fail *f)
{
    json_t *cur = json_incref(input);
    bool cur_ok = false;     /* cur passed the size check (as a state's output) */
    const char *from = NULL; /* the state left last, for the observer */
    for (;;) {
        struct visit v;
        int rc;
        if (t->ex->history_full) {
            f->kind = FK_HISTORY;
            f->error = xstrdup("States.Runtime");
            f->cause = xasprintf("The execution reached the maximum number of history "
                                 "events (%d).",
                                 HISTORY_LIMIT);
            json_decref(cur);
            return -1;
        }
        if (!json_is_object(st)) {
            f->kind = FK_RUNTIME;
            f->error = xstrdup("States.Runtime");
            f->cause =
                xasprintf("The state machine has no state named '%s'", name ? name : "");
            json_decref(cur);
            return -1;
        }
        exec_note(t, INTERP_NOTE_ENTER, name, from, -1);
        rc = visit_state(t, name, st, cur, cur_ok, &v);
        json_decref(cur);
        if (rc) {
            fail_move(f, &v.f);
            visit_release(&v);
            return -1;
        }
        cur = v.output; /* a successful visit's output passed visit_check_size */
        cur_ok = true;
        v.output = NULL;
        const char *next = v.next;
        bool end = v.ended || !next;
        struct state_plan *plan = v.plan;
        visit_release(&v);
        if (end) {
            *out = cur;
            return 0;
        }
        from = name;
        name = next;
        st = next == json_string_value(plan->f[SF_NEXT]) ? next_of(plan, states, next)
                                                         : json_object_get(states, next);
    }
}

/* ==== the execution
 * ======================================================================= */

/* Deep-merges src into dst (both objects; dst is ours to modify). */
static void merge_into(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v)
    {
        json_t *cur = json_object_get(dst, k);
        if (json_is_object(cur) && json_is_object(v)) {
            json_t *copy = json_copy(cur);
            merge_into(copy, v);
            json_object_set_new(dst, k, copy);
        } else {
            json_object_set(dst, k, v);
        }
    }
}

/* The top-level {"Execution", "StateMachine"} of the Context object (new). */
static json_t *context_base(struct exec *ex)
{
    const struct interp_opts *o = ex->o;
    const struct base_args *b = &ex->base;
    char when[32];
    interp_format_time(b->start, when);
    json_t *exe = json_object();
    json_object_set_new(exe, "Id",
                        json_sprintf("arn:%s:states:%s:%s:execution:%s:%s", ex->partition,
                                     ex->region, ex->account, b->machine, b->name));
    json_object_set(exe, "Input", b->input);
    json_object_set_new(exe, "StartTime", json_string(when));
    json_object_set_new(exe, "Name", json_string(b->name));
    json_object_set_new(exe, "RoleArn", json_string(b->role));
    json_object_set_new(exe, "RedriveCount", json_integer(0));
    json_t *sm = json_object();
    json_object_set_new(sm, "Id",
                        json_sprintf("arn:%s:states:%s:%s:stateMachine:%s", ex->partition,
                                     ex->region, ex->account, b->machine));
    json_object_set_new(sm, "Name", json_string(b->machine));
    json_t *ctx = json_object();
    json_object_set_new(ctx, "Execution", exe);
    json_object_set_new(ctx, "StateMachine", sm);
    if (json_is_object(o->context))
        merge_into(ctx, o->context);
    return ctx;
}

/* A distributed Map child's: the parent's, with an Execution of its own (new). */
static json_t *child_context_base(struct exec *ex)
{
    const struct base_args *b = &ex->base;
    json_t *parent = exec_ctx_base(b->parent);
    char when[32];
    interp_format_time(b->start, when);
    json_t *ctx = json_copy(parent);
    json_t *exe = json_copy(json_object_get(parent, "Execution"));
    json_object_set_new(exe, "Id", json_sprintf("%s:%s", b->arn_prefix, b->name));
    json_object_set(exe, "Input", b->input);
    json_object_set_new(exe, "Name", json_string(b->name));
    json_object_set_new(exe, "StartTime", json_string(when));
    json_object_set_new(ctx, "Execution", exe);
    return ctx;
}

json_t *exec_ctx_base(struct exec *ex)
{
    if (!ex->ctx_base)
        ex->ctx_base = ex->base.parent ? child_context_base(ex) : context_base(ex);
    return ex->ctx_base;
}

static void finish(struct exec *ex, struct thread *t, int rc, json_t *out, struct fail *f,
                   struct interp_result *res)
{
    json_t *d = ex->events ? json_object() : NULL;
    const char *type;
    if (!rc) {
        res->status = INTERP_SUCCEEDED;
        res->output = out;
        type = "ExecutionSucceeded";
        if (d) {
            json_object_set_new(d, "output", hist_text(out));
            json_object_set_new(d, "outputDetails", hist_truncated());
        }
    } else {
        res->status = f->kind == FK_TIMED_OUT ? INTERP_TIMED_OUT : INTERP_FAILED;
        type = f->kind == FK_TIMED_OUT ? "ExecutionTimedOut" : "ExecutionFailed";
        if (d && f->error)
            json_object_set_new(d, "error", json_string(f->error));
        if (d && f->cause)
            json_object_set_new(d, "cause", json_string(f->cause));
        res->error = f->error;
        res->cause = f->cause;
        f->error = f->cause = NULL;
    }
    ex->history_full = false; /* the closing event always fits */
    hist_add(t, type,
             !rc                       ? "executionSucceededEventDetails"
             : f->kind == FK_TIMED_OUT ? "executionTimedOutEventDetails"
                                       : "executionFailedEventDetails",
             d);
}

/* Appends the names of the *StateEntered events among `events` to `names`. */
static void add_entered(json_t *names, json_t *events)
{
    size_t i;
    json_t *ev;
    json_array_foreach(events, i, ev)
    {
        const char *type = json_string_value(json_object_get(ev, "type"));
        size_t n = type ? strlen(type) : 0;
        if (n < 12 || strcmp(type + n - 12, "StateEntered"))
            continue;
        json_t *d = json_object_get(ev, "stateEnteredEventDetails");
        json_t *name = json_object_get(d, "name");
        if (name)
            json_array_append(names, name);
    }
}

/*
 * Continues a saved history: keeps its events, adds ExecutionRedriven, restores the
 * variables and marks the Context object (RedriveCount, RedriveTime).
 */
static void redrive_resume(struct exec *ex, struct thread *t, struct redrive_point *rp,
                           json_t *history)
{
    json_t *old = json_object_get(history, "events");
    if (ex->events)
        json_array_extend(ex->events, old);
    if (ex->entered)
        add_entered(ex->entered, old);
    ex->nevents = (long)json_array_size(old);
    t->prev = ex->nevents;
    json_t *d =
        ex->events ? json_pack("{s:I}", "redriveCount", (json_int_t)rp->count + 1) : NULL;
    hist_add(t, "ExecutionRedriven", "executionRedrivenEventDetails", d);
    json_object_update(t->vars, rp->vars);
    json_t *exe = json_object_get(exec_ctx_base(ex), "Execution");
    char when[32];
    interp_format_time(t->now, when);
    json_object_set_new(exe, "RedriveCount", json_integer((json_int_t)rp->count + 1));
    json_object_set_new(exe, "RedriveTime", json_string(when));
}

int interp_run(json_t *def, json_t *input, const struct interp_opts *o,
               struct interp_result *res)
{
    memset(res, 0, sizeof(*res));
    struct exec ex = {.o = o};
    ex.partition = o->partition ? o->partition : "aws";
    ex.region = o->region ? o->region : "us-east-1";
    ex.account = o->account_id ? o->account_id : "123456789012";
    const char *machine = o->machine_name ? o->machine_name : "local";
    const char *name = o->exec_name ? o->exec_name : "local";
    char *role = o->role_arn ? xstrdup(o->role_arn)
                             : xasprintf("arn:%s:iam::%s:role/%s-sfn", ex.partition,
                                         ex.account, machine);
    struct redrive_point rp = {0};
    char *why = NULL;
    bool redrive = o->redrive && !redrive_find(o->redrive, &rp, &why);
    int64_t start = redrive ? rp.start_ms : o->start_ms;
    if (redrive)
        input = rp.input;
    ex.rng = o->seed;
    intr_rng_seed(&ex.irng, o->seed ^ UINT64_C(0x5f3759df));
    ex.events = o->history ? json_array() : NULL;
    ex.entered = o->entered ? json_array() : NULL;
    ex.calls = json_object();
    ex.cache = o->cache ? o->cache : interp_cache_new();
    ex.top_ql = json_string_value(json_object_get(def, "QueryLanguage"));
    ex.base = (struct base_args){input, machine, name, role, start, NULL, NULL};
    int64_t now = redrive ? rp.resume_ms : start;
    json_t *ts = json_object_get(def, "TimeoutSeconds");
    ex.deadline = json_is_integer(ts) && json_integer_value(ts) > 0
                      ? now + json_integer_value(ts) * 1000
                      : NO_DEADLINE;
    struct thread t = {&ex, now, json_object(), 0};
    json_t *d = NULL;
    if (ex.events) {
        d = json_object();
        json_object_set_new(d, "input", hist_text(input));
        json_object_set_new(d, "inputDetails", hist_truncated());
        json_object_set_new(d, "roleArn", json_string(role));
    }
    if (redrive) {
        redrive_resume(&ex, &t, &rp, o->redrive);
        json_decref(d);
    } else {
        hist_add(&t, "ExecutionStarted", "executionStartedEventDetails", d);
        t.prev = 0; /* AWS: the first state's Entered event points at 0 */
    }
    json_t *out = NULL;
    struct fail f = {0};
    int rc;
    if (!json_is_object(def) || !json_is_object(json_object_get(def, "States"))) {
        f.kind = FK_RUNTIME;
        f.error = xstrdup("States.Runtime");
        f.cause = xstrdup("The definition is not a state machine (StartAt and States)");
        rc = -1;
    } else if (o->redrive && !redrive) {
        f.kind = FK_RUNTIME;
        f.error = xstrdup("States.Runtime");
        f.cause = xasprintf("The execution cannot be redriven: %s", why);
        rc = -1;
    } else if (redrive) {
        rc = exec_machine_from(&t, def, rp.state, rp.state_input, &out, &f);
    } else {
        rc = exec_machine(&t, def, input, &out, &f);
    }
    finish(&ex, &t, rc, out, &f, res);
    fail_release(&f);
    res->history = NULL;
    if (ex.events) {
        res->history = json_object();
        json_object_set_new(res->history, "events", ex.events);
    }
    res->entered = ex.entered;
    res->events = ex.nevents;
    res->states = ex.nstates;
    res->end_ms = t.now;
    json_decref(t.vars);
    json_decref(ex.calls);
    if (ex.cache != o->cache)
        interp_cache_free(ex.cache);
    json_decref(ex.ctx_base);
    free(role);
    free(why);
    redrive_release(&rp);
    /* The compiled-expression cache is kept: the next run of the same definition (a
       test file's cases) finds its expressions compiled. It is bounded in size. */
    return res->status == INTERP_SUCCEEDED ? 0 : 1;
}

void interp_result_release(struct interp_result *res)
{
    json_decref(res->output);
    json_decref(res->history);
    json_decref(res->entered);
    free(res->error);
    free(res->cause);
    memset(res, 0, sizeof(*res));
}

const char *interp_status_name(enum interp_status s)
{
    static const char *const names[] = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"};
    return names[s];
}
