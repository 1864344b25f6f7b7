/*
 * Workflow test files: loading with located diagnostics, the mock config built from
 * each case's answers, running a case on the interpreter, judging its result into
 * expected-versus-actual text, and the JUnit XML report (see wftest.h).
 */
#include "wftest.h"
#include "base/suggest.h"

#include "asl/asl_int.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "build.h"
#include "emit/jout.h"
#include "interp/mock.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CALLS     100000000L /* highest invocation number a mock may name (mock.c) */
#define MAX_DURATION  1e9        /* seconds, as mock.c accepts */
#define MAX_DIFFS     10         /* output differences listed before "..." */
#define MAX_VALUE_LEN 200        /* bytes of a JSON value quoted in a message */
#define MOCK_MACHINE  "test"     /* state machine name inside the built mock config */

/* ==== loading ===================================================================== */

enum ftype { F_STR, F_LIST, F_MAP, F_NUM, F_INT, F_ANY };

struct field {
    const char *key;
    enum ftype type;
    bool required;
};

static const struct field file_fields[] = {{"cases", F_LIST, true}, {NULL, F_ANY, false}};
static const struct field case_fields[] = {
    {"name", F_STR, true},   {"input", F_ANY, false},  {"scheduled_time", F_STR, false},
    {"mocks", F_MAP, false}, {"expect", F_MAP, false}, {NULL, F_ANY, false},
};
static const struct field expect_fields[] = {
    {"status", F_STR, false}, {"output", F_ANY, false}, {"error", F_STR, false},
    {"cause", F_STR, false},  {"path", F_LIST, false},  {"visits", F_MAP, false},
    {NULL, F_ANY, false},
};
static const struct field answer_fields[] = {
    {"return", F_ANY, false}, {"throw", F_MAP, false}, {"duration", F_NUM, false},
    {"times", F_INT, false},  {NULL, F_ANY, false},
};
static const struct field throw_fields[] = {
    {"error", F_STR, true}, {"cause", F_ANY, false}, {NULL, F_ANY, false}};

struct loader {
    const struct ydoc *doc;
    struct diag_list *dl;
    int rc;
};

static const char *type_name(enum ftype t)
{
    static const char *const names[] = {
        [F_STR] = "a string", [F_LIST] = "a list",    [F_MAP] = "a mapping",
        [F_NUM] = "a number", [F_INT] = "an integer", [F_ANY] = "any value",
    };
    return names[t];
}

static bool type_ok(enum ftype t, const json_t *v)
{
    switch (t) {
    case F_STR:
        return json_is_string(v);
    case F_LIST:
        return json_is_array(v);
    case F_MAP:
        return json_is_object(v);
    case F_NUM:
        return json_is_number(v);
    case F_INT:
        return json_is_integer(v);
    case F_ANY:
        return true;
    }
    return false;
}

/* Adds an error diagnostic; the whole load fails. Returns -1. */
static int lerror(struct loader *ld, enum diag_id id, struct loc loc, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));
static int lerror(struct loader *ld, enum diag_id id, struct loc loc, const char *fmt,
                  ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    diag_add(ld->dl, id, loc, "%s", sb.buf);
    strbuf_release(&sb);
    ld->rc = -1;
    return -1;
}

/*
 * Checks the keys of one mapping against a field table: unknown keys (with a "did you
 * mean" note), missing required keys, wrong types. Returns -1 when a value has the
 * wrong type (reading the mapping further is unsafe), else 0; every problem is an
 * error diagnostic.
 */
static int check_keys(struct loader *ld, json_t *obj, const struct field *fields,
                      const char *where)
{
    int rc = 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        const struct field *f = fields;
        while (f->key && strcmp(f->key, key))
            f++;
        if (!f->key && fields == file_fields && !strncmp(key, "x-", 2))
            continue; /* free-form: a place for YAML anchors shared by cases */
        if (!f->key) {
            lerror(ld, D_TEST_UNKNOWN_KEY, yload_key_loc(ld->doc, obj, key),
                   "unknown key '%s' in %s", key, where);
            const char *cands[8];
            size_t n = 0;
            for (f = fields; f->key && n < ARRAY_SIZE(cands); f++)
                cands[n++] = f->key;
            const char *near = suggest_closest(key, cands, n);
            if (near)
                diag_note(ld->dl, "did you mean '%s'?", near);
        } else if (!type_ok(f->type, v)) {
            rc =
                lerror(ld, D_TEST_TYPE, yload_member_loc(ld->doc, obj, key),
                       "'%s' must be %s, not %s", key, type_name(f->type), yload_kind(v));
        }
    }
    for (const struct field *f = fields; f->key; f++) {
        if (f->required && !json_object_get(obj, f->key)) {
            lerror(ld, D_TEST_MISSING_KEY, yload_loc(ld->doc, obj), "%s has no '%s'",
                   where, f->key);
            diag_note(ld->dl, "add '%s: ...'", f->key);
        }
    }
    return rc;
}

/* obj[key] when present and of the field's type; check_keys reports the rest. */
static json_t *typed(json_t *obj, const char *key, const struct field *fields)
{
    json_t *v = json_object_get(obj, key);
    for (const struct field *f = fields; f->key; f++)
        if (!strcmp(f->key, key))
            return v && type_ok(f->type, v) ? v : NULL;
    BUG("no field '%s' in the table", key);
}

/* ---- mocks ----------------------------------------------------------------------- */

/* Converts one answer into a mock-config entry {"Return"|"Throw", "Duration"}. */
static json_t *mock_entry(json_t *answer)
{
    json_t *e = json_object();
    json_t *ret = json_object_get(answer, "return");
    json_t *thr = json_object_get(answer, "throw");
    if (ret) {
        json_object_set(e, "Return", ret);
    } else {
        json_t *t = json_object();
        json_object_set(t, "Error", json_object_get(thr, "error"));
        json_t *cause = json_object_get(thr, "cause");
        if (cause)
            json_object_set(t, "Cause", cause);
        json_object_set_new(e, "Throw", t);
    }
    json_t *dur = json_object_get(answer, "duration");
    if (dur)
        json_object_set(e, "Duration", dur);
    return e;
}

/* Checks one answer of a mocked state; returns 0 or -1. */
static int check_answer(struct loader *ld, json_t *list, size_t i, json_t *answer)
{
    struct loc loc = yload_index_loc(ld->doc, list, i);
    if (!json_is_object(answer)) {
        lerror(ld, D_TEST_TYPE, loc, "a mock answer must be a mapping, not %s",
               yload_kind(answer));
        diag_note(ld->dl, "write '- return: {...}' or '- throw: {error: Name}'");
        return -1;
    }
    if (check_keys(ld, answer, answer_fields, "a mock answer"))
        return -1;
    json_t *thr = json_object_get(answer, "throw");
    if (!json_object_get(answer, "return") == !thr)
        return lerror(ld, D_TEST_MOCK_ANSWER, loc,
                      "a mock answer needs exactly one of 'return' and 'throw'");
    if (thr &&
        (check_keys(ld, thr, throw_fields, "throw") || !json_object_get(thr, "error")))
        return -1;
    json_t *dur = json_object_get(answer, "duration");
    if (dur && (json_number_value(dur) < 0 || json_number_value(dur) > MAX_DURATION))
        return lerror(ld, D_TEST_TYPE, yload_member_loc(ld->doc, answer, "duration"),
                      "'duration' must be from 0 to 1000000000 seconds");
    json_t *times = json_object_get(answer, "times");
    if (times && (json_integer_value(times) < 1 || json_integer_value(times) > MAX_CALLS))
        return lerror(ld, D_TEST_TYPE, yload_member_loc(ld->doc, answer, "times"),
                      "'times' must be a whole number from 1 to %ld", MAX_CALLS);
    return 0;
}

/*
 * Turns one state's answers into a MockedResponses entry: "0", "1", or "k-m" ranges
 * for answers with `times`. Returns the new response object, or NULL after errors.
 */
static json_t *mock_response(struct loader *ld, json_t *mocks, const char *state,
                             json_t *list)
{
    if (!json_is_array(list) || json_array_size(list) == 0) {
        lerror(ld, D_TEST_TYPE, yload_member_loc(ld->doc, mocks, state),
               "the mocks of '%s' must be a non-empty list of answers in call order",
               state);
        diag_note(ld->dl, "write '%s: [{return: {...}}]'", state);
        return NULL;
    }
    json_t *resp = json_object();
    long next = 0;
    bool bad = false;
    size_t i;
    json_t *answer;
    json_array_foreach(list, i, answer)
    {
        if (check_answer(ld, list, i, answer)) {
            bad = true;
            continue;
        }
        json_t *times = json_object_get(answer, "times");
        long n = times ? (long)json_integer_value(times) : 1;
        if (next > MAX_CALLS - n) {
            lerror(ld, D_TEST_TYPE, yload_index_loc(ld->doc, list, i),
                   "the answers of '%s' cover more than %ld calls", state, MAX_CALLS);
            bad = true;
            break;
        }
        char key[48];
        if (n == 1)
            snprintf(key, sizeof(key), "%ld", next);
        else
            snprintf(key, sizeof(key), "%ld-%ld", next, next + n - 1);
        json_object_set_new(resp, key, mock_entry(answer));
        next += n;
    }
    if (bad) {
        json_decref(resp);
        return NULL;
    }
    return resp;
}

/* Builds the case's mock config (new), or NULL when it mocks nothing or after errors. */
static json_t *build_mocks(struct loader *ld, const char *case_name, json_t *mocks)
{
    if (!mocks || json_object_size(mocks) == 0)
        return NULL;
    json_t *responses = json_object(), *tc = json_object();
    bool bad = false;
    const char *state;
    json_t *list;
    json_object_foreach(mocks, state, list)
    {
        json_t *resp = mock_response(ld, mocks, state, list);
        if (!resp) {
            bad = true;
            continue;
        }
        json_object_set_new(responses, state, resp);
        json_object_set_new(tc, state, json_string(state));
    }
    if (bad) {
        json_decref(tc);
        json_decref(responses);
        return NULL;
    }
    /* {"StateMachines": {MOCK_MACHINE: {"TestCases": {case_name: tc}}},
        "MockedResponses": responses}, built directly: json_pack would parse its
       format string for every case of a long file */
    json_t *cases = json_object(), *machine = json_object(), *machines = json_object();
    json_object_set_new(cases, case_name, tc);
    json_object_set_new(machine, "TestCases", cases);
    json_object_set_new(machines, MOCK_MACHINE, machine);
    json_t *doc = json_object();
    json_object_set_new(doc, "StateMachines", machines);
    json_object_set_new(doc, "MockedResponses", responses);
    return doc;
}

/* ---- cases ----------------------------------------------------------------------- */

static int parse_status(const char *s, enum interp_status *out)
{
    static const enum interp_status all[] = {INTERP_SUCCEEDED, INTERP_FAILED,
                                             INTERP_TIMED_OUT, INTERP_ABORTED};
    for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
        if (!strcmp(s, interp_status_name(all[i]))) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

static void load_path(struct loader *ld, json_t *path)
{
    size_t i;
    json_t *name;
    json_array_foreach(path, i, name)
    {
        if (!json_is_string(name))
            lerror(ld, D_TEST_TYPE, yload_index_loc(ld->doc, path, i),
                   "a path entry must be a state name, not %s", yload_kind(name));
    }
}

static void load_visits(struct loader *ld, json_t *visits)
{
    const char *name;
    json_t *v;
    json_object_foreach(visits, name, v)
    {
        if (json_is_boolean(v) || (json_is_integer(v) && json_integer_value(v) >= 0))
            continue;
        lerror(ld, D_TEST_TYPE, yload_member_loc(ld->doc, visits, name),
               "the visits of '%s' must be true, false or a count, not %s", name,
               yload_kind(v));
        diag_note(ld->dl, "true: entered at least once; false: never; 3: exactly 3 "
                          "times");
    }
}

/* Reads `expect`; an absent status is SUCCEEDED, or FAILED when error/cause is given. */
static void load_expect(struct loader *ld, struct wftest_expect *e, json_t *obj)
{
    memset(e, 0, sizeof(*e));
    if (!obj)
        return;
    check_keys(ld, obj, expect_fields, "expect");
    e->output = typed(obj, "output", expect_fields);
    e->error = json_string_value(typed(obj, "error", expect_fields));
    e->cause = json_string_value(typed(obj, "cause", expect_fields));
    e->path = typed(obj, "path", expect_fields);
    e->visits = typed(obj, "visits", expect_fields);
    json_t *status = typed(obj, "status", expect_fields);
    e->status = e->error || e->cause ? INTERP_FAILED : INTERP_SUCCEEDED;
    if (status && parse_status(json_string_value(status), &e->status)) {
        lerror(ld, D_TEST_STATUS, yload_member_loc(ld->doc, obj, "status"),
               "unknown status '%s'", json_string_value(status));
        diag_note(ld->dl, "use SUCCEEDED, FAILED, TIMED_OUT or ABORTED");
        status = NULL;
    }
    if (e->path)
        load_path(ld, e->path);
    if (e->visits)
        load_visits(ld, e->visits);
    if (!status && json_object_get(obj, "status"))
        return; /* no contradiction with a status that is not one */
    if (e->status == INTERP_SUCCEEDED && (e->error || e->cause))
        lerror(ld, D_TEST_CONTRADICTION,
               yload_key_loc(ld->doc, obj, e->error ? "error" : "cause"),
               "a SUCCEEDED execution has no error or cause");
    else if (e->status != INTERP_SUCCEEDED && e->output)
        lerror(ld, D_TEST_CONTRADICTION, yload_key_loc(ld->doc, obj, "output"),
               "only a SUCCEEDED execution has an output");
}

static void load_time(struct loader *ld, struct wftest_case *c, json_t *obj)
{
    json_t *t = typed(obj, "scheduled_time", case_fields);
    c->has_time = t != NULL;
    interp_parse_time(BUILD_DEFAULT_START, &c->start_ms);
    if (!t)
        return;
    if (interp_parse_time(json_string_value(t), &c->start_ms)) {
        lerror(ld, D_TEST_TIME, yload_member_loc(ld->doc, obj, "scheduled_time"),
               "'%s' is not an ISO-8601 date-time", json_string_value(t));
        diag_note(ld->dl, "write it like 2026-03-01T03:00:00Z (quote it in YAML if it "
                          "holds a space)");
    }
    if (c->input && !json_is_object(c->input))
        lerror(ld, D_TEST_INPUT_NOT_OBJECT, yload_member_loc(ld->doc, obj, "input"),
               "the input must be a mapping to receive scheduled_time, not %s",
               yload_kind(c->input));
}

/*
 * Finds an earlier case named like case i; returns its index or -1. `seen` maps the
 * names met so far to their first case (a JSON object as a hash table: a file of
 * thousands of cases must not compare every pair).
 */
static long earlier_case(const struct wftest_file *tf, json_t *seen, size_t i)
{
    const char *name = tf->cases[i].name;
    if (!name)
        return -1;
    json_t *first = json_object_get(seen, name);
    if (first)
        return (long)json_integer_value(first);
    json_object_set_new(seen, name, json_integer((json_int_t)i));
    return -1;
}

static void load_case(struct loader *ld, struct wftest_file *tf, json_t *list, size_t i,
                      json_t *seen)
{
    struct wftest_case *c = &tf->cases[i];
    json_t *obj = json_array_get(list, i);
    c->node = obj;
    if (!json_is_object(obj)) {
        lerror(ld, D_TEST_TYPE, yload_index_loc(ld->doc, list, i),
               "a test case must be a mapping, not %s", yload_kind(obj));
        return;
    }
    check_keys(ld, obj, case_fields, "a test case");
    c->name = json_string_value(typed(obj, "name", case_fields));
    long first = earlier_case(tf, seen, i);
    if (first >= 0) {
        lerror(ld, D_TEST_DUP_CASE, yload_member_loc(ld->doc, obj, "name"),
               "a test case named '%s' already exists", c->name);
        struct loc at = yload_member_loc(ld->doc, tf->cases[first].node, "name");
        diag_note(ld->dl, "the first one is on line %u", at.line);
    }
    c->input = typed(obj, "input", case_fields);
    load_time(ld, c, obj);
    load_expect(ld, &c->expect, typed(obj, "expect", case_fields));
    c->mocks = build_mocks(ld, c->name ? c->name : "", typed(obj, "mocks", case_fields));
}

static int load_doc(struct wftest_file *tf, struct diag_list *dl)
{
    struct loader ld = {&tf->doc, dl, 0};
    json_t *root = tf->doc.root;
    if (!json_is_object(root)) {
        lerror(&ld, D_TEST_TYPE, yload_file_loc(&tf->doc),
               "a test file must be a mapping with 'cases', not %s", yload_kind(root));
        return -1;
    }
    json_t *list = json_object_get(root, "cases");
    if (check_keys(&ld, root, file_fields, "the test file") || !list)
        return -1;
    tf->ncases = json_array_size(list);
    tf->cases = xcalloc(tf->ncases ? tf->ncases : 1, sizeof(*tf->cases));
    if (tf->ncases == 0)
        diag_add(dl, D_TEST_NO_CASES, yload_member_loc(&tf->doc, root, "cases"),
                 "the test file holds no cases");
    json_t *seen = json_object();
    for (size_t i = 0; i < tf->ncases; i++)
        load_case(&ld, tf, list, i, seen);
    json_decref(seen);
    return ld.rc;
}

int wftest_load(struct wftest_file *tf, const char *path, struct diag_list *dl)
{
    memset(tf, 0, sizeof(*tf));
    int rc = yload_file(&tf->doc, path, dl);
    return rc ? rc : load_doc(tf, dl);
}

int wftest_load_mem(struct wftest_file *tf, const char *name, const char *buf, size_t len,
                    struct diag_list *dl)
{
    memset(tf, 0, sizeof(*tf));
    int rc = yload_mem(&tf->doc, name, buf, len, dl);
    return rc ? rc : load_doc(tf, dl);
}

void wftest_release(struct wftest_file *tf)
{
    for (size_t i = 0; i < tf->ncases; i++)
        json_decref(tf->cases[i].mocks);
    free(tf->cases);
    ydoc_release(&tf->doc);
    memset(tf, 0, sizeof(*tf));
}

/* ==== checking against the definition ============================================= */

struct state_set {
    json_t *states;     /* name -> borrowed state object (lookups only) */
    const char **names; /* for "did you mean" */
    size_t nr, alloc;
};

static void collect(void *arg, const char *name, json_t *state)
{
    struct state_set *s = arg;
    json_object_set(s->states, name, state);
    VEC_GROW(s->names, s->nr + 1, s->alloc);
    s->names[s->nr++] = name;
}

/* Reports a state name the machine lacks (or, for mocks, that is no Task): -1, else 0. */
static int check_name(const struct state_set *s, const char *name, struct loc loc,
                      bool task, struct diag_list *dl)
{
    json_t *st = json_object_get(s->states, name);
    if (!st) {
        diag_add(dl, D_TEST_UNKNOWN_STATE, loc, "the workflow has no state '%s'", name);
        const char *near = suggest_closest(name, s->names, s->nr);
        if (near)
            diag_note(dl, "did you mean '%s'?", near);
        return -1;
    }
    const char *type = json_string_value(json_object_get(st, "Type"));
    if (task && (!type || strcmp(type, "Task"))) {
        diag_add(dl, D_TEST_MOCK_NOT_TASK, loc,
                 "'%s' is a %s state; only Task states "
                 "take mocks",
                 name, type ? type : "typeless");
        return -1;
    }
    return 0;
}

static int check_case(const struct wftest_file *tf, const struct wftest_case *c,
                      const struct state_set *s, struct diag_list *dl)
{
    const struct ydoc *doc = &tf->doc;
    int rc = 0;
    const char *name;
    json_t *v;
    json_t *mocks = json_object_get(c->node, "mocks");
    json_object_foreach(mocks, name, v) rc |=
        check_name(s, name, yload_key_loc(doc, mocks, name), true, dl);
    size_t i;
    json_array_foreach(c->expect.path, i, v)
    {
        if (json_is_string(v))
            rc |= check_name(s, json_string_value(v),
                             yload_index_loc(doc, c->expect.path, i), false, dl);
    }
    json_object_foreach(c->expect.visits, name, v) rc |=
        check_name(s, name, yload_key_loc(doc, c->expect.visits, name), false, dl);
    return rc ? -1 : 0;
}

int wftest_check(const struct wftest_file *tf, json_t *definition, struct diag_list *dl)
{
    struct state_set s = {json_object(), NULL, 0, 0};
    coverage_walk(definition, collect, &s);
    int rc = 0;
    for (size_t i = 0; i < tf->ncases; i++)
        if (json_is_object(tf->cases[i].node) && check_case(tf, &tf->cases[i], &s, dl))
            rc = -1;
    json_decref(s.states);
    free(s.names);
    return rc;
}

/* ==== judging ===================================================================== */

/* A JSON value for a message: compact, cut after MAX_VALUE_LEN bytes. */
static void add_value(struct strbuf *sb, const json_t *v)
{
    char *text = jout_compact(v);
    size_t n = strlen(text);
    if (n > MAX_VALUE_LEN) {
        while (n > MAX_VALUE_LEN - 3 || (n && ((unsigned char)text[n] & 0xc0) == 0x80))
            n--; /* never cut a UTF-8 sequence */
        strbuf_add(sb, text, n);
        strbuf_adds(sb, "...");
    } else {
        strbuf_adds(sb, text);
    }
    free(text);
}

/* Equality of JSON values where 1 and 1.0 are the same number. */
static bool same_value(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b)) {
        if (json_is_integer(a) && json_is_integer(b))
            return json_integer_value(a) == json_integer_value(b);
        return json_number_value(a) == json_number_value(b);
    }
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v)
        {
            json_t *w = json_object_get(b, k);
            if (!w || !same_value(v, w))
                return false;
        }
        return true;
    }
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same_value(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

struct differ {
    struct strbuf *sb;
    struct strbuf path; /* JSONPath of the value being compared */
    int lines;
};

static bool plain_key(const char *k)
{
    if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_'))
        return false;
    for (k++; *k; k++)
        if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_' ||
              (*k >= '0' && *k <= '9')))
            return false;
    return true;
}

/* Starts one difference line "    <path>: " or returns false past the limit. */
static bool diff_line(struct differ *d)
{
    if (d->lines++ == MAX_DIFFS) {
        strbuf_adds(d->sb, "    ... (more differences)\n");
        return false;
    }
    if (d->lines > MAX_DIFFS)
        return false;
    strbuf_addf(d->sb, "    %s: ", d->path.buf);
    return true;
}

static void diff_missing(struct differ *d, const json_t *exp, const json_t *act)
{
    if (!diff_line(d))
        return;
    if (exp) {
        strbuf_adds(d->sb, "missing, expected ");
        add_value(d->sb, exp);
    } else {
        strbuf_adds(d->sb, "unexpected ");
        add_value(d->sb, act);
    }
    strbuf_addch(d->sb, '\n');
}

static void diff_values(struct differ *d, const json_t *exp, const json_t *act);

static void diff_member(struct differ *d, const char *key, size_t index, bool is_key,
                        const json_t *exp, const json_t *act)
{
    size_t len = d->path.len;
    if (!is_key) {
        strbuf_addf(&d->path, "[%zu]", index);
    } else if (plain_key(key)) {
        strbuf_addf(&d->path, ".%s", key);
    } else {
        json_t *s = json_string(key);
        strbuf_addch(&d->path, '[');
        add_value(&d->path, s);
        strbuf_addch(&d->path, ']');
        json_decref(s);
    }
    if (exp && act)
        diff_values(d, exp, act);
    else
        diff_missing(d, exp, act);
    strbuf_setlen(&d->path, len);
}

/* Lists the differences between two values, path by path, expected keys first. */
static void diff_values(struct differ *d, const json_t *exp, const json_t *act)
{
    if (same_value(exp, act))
        return;
    if (json_is_object(exp) && json_is_object(act)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)exp, k, v)
            diff_member(d, k, 0, true, v, json_object_get(act, k));
        json_object_foreach((json_t *)act, k, v)
        {
            if (!json_object_get(exp, k))
                diff_member(d, k, 0, true, NULL, v);
        }
        return;
    }
    if (json_is_array(exp) && json_is_array(act)) {
        size_t ne = json_array_size(exp), na = json_array_size(act);
        for (size_t i = 0; i < (ne > na ? ne : na); i++)
            diff_member(d, NULL, i, false, json_array_get(exp, i),
                        json_array_get(act, i));
        return;
    }
    if (!diff_line(d))
        return;
    strbuf_adds(d->sb, "expected ");
    add_value(d->sb, exp);
    strbuf_adds(d->sb, ", got ");
    add_value(d->sb, act);
    strbuf_addch(d->sb, '\n');
}

/* The names of the states entered, in order, from a history (new array). */
static json_t *entered_states(json_t *history)
{
    json_t *names = json_array();
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(history, "events"), i, ev)
    {
        const char *type = json_string_value(json_object_get(ev, "type"));
        size_t n = type ? strlen(type) : 0;
        if (n < 12 || strcmp(type + n - 12, "StateEntered"))
            continue;
        json_t *d = json_object_get(ev, "stateEnteredEventDetails");
        json_array_append(names, json_object_get(d, "name"));
    }
    return names;
}

static void add_sequence(struct strbuf *sb, json_t *names)
{
    size_t i;
    json_t *n;
    if (json_array_size(names) == 0)
        strbuf_adds(sb, "(no state)");
    json_array_foreach(names, i, n)
        strbuf_addf(sb, "%s%s", i ? ", " : "", json_string_value(n));
    strbuf_addch(sb, '\n');
}

static const char *step_name(json_t *names, size_t i)
{
    json_t *n = json_array_get(names, i);
    return n ? json_string_value(n) : NULL;
}

static void judge_path(struct strbuf *sb, json_t *exp, json_t *act)
{
    size_t ne = json_array_size(exp), na = json_array_size(act), i = 0;
    while (i < ne && i < na && !strcmp(step_name(exp, i), step_name(act, i)))
        i++;
    if (i == ne && i == na)
        return;
    const char *e = step_name(exp, i), *a = step_name(act, i);
    strbuf_addf(sb, "path differs at step %zu: expected %s%s%s, got %s%s%s\n", i + 1,
                e ? "'" : "", e ? e : "the end", e ? "'" : "", a ? "'" : "",
                a ? a : "the end", a ? "'" : "");
    strbuf_adds(sb, "  expected: ");
    add_sequence(sb, exp);
    strbuf_adds(sb, "  actual:   ");
    add_sequence(sb, act);
}

static void judge_visits(struct strbuf *sb, json_t *visits, json_t *entered)
{
    const char *name;
    json_t *want;
    json_object_foreach(visits, name, want)
    {
        json_int_t n = 0;
        size_t i;
        json_t *s;
        json_array_foreach(entered, i, s) n += !strcmp(json_string_value(s), name);
        const char *times = n == 1 ? "time" : "times";
        if (json_is_true(want) && n == 0)
            strbuf_addf(sb, "visits: '%s' was never entered, expected at least once\n",
                        name);
        else if (json_is_false(want) && n > 0)
            strbuf_addf(sb, "visits: '%s' was entered %lld %s, expected never\n", name,
                        (long long)n, times);
        else if (json_is_integer(want) && n != json_integer_value(want))
            strbuf_addf(sb, "visits: '%s' was entered %lld %s, expected %lld\n", name,
                        (long long)n, times, (long long)json_integer_value(want));
    }
}

static void add_quoted(struct strbuf *sb, const char *s)
{
    if (!s) {
        strbuf_adds(sb, "none");
        return;
    }
    json_t *v = json_string(s);
    add_value(sb, v);
    json_decref(v);
}

static void judge_status(struct strbuf *sb, const struct wftest_expect *e,
                         const struct interp_result *r)
{
    if (e->status == r->status)
        return;
    strbuf_addf(sb, "status: expected %s, got %s", interp_status_name(e->status),
                interp_status_name(r->status));
    if (r->status != INTERP_SUCCEEDED) {
        strbuf_adds(sb, " with error ");
        add_quoted(sb, r->error);
        strbuf_adds(sb, "\n  cause: ");
        add_quoted(sb, r->cause);
    }
    strbuf_addch(sb, '\n');
}

/* error or cause: expected text against what the run ended with. */
static void judge_text(struct strbuf *sb, const char *what, const char *exp,
                       const char *act, const struct interp_result *r)
{
    if (!exp || (act && !strcmp(exp, act)))
        return;
    strbuf_addf(sb, "%s: expected ", what);
    add_quoted(sb, exp);
    if (r->status == INTERP_SUCCEEDED) {
        strbuf_adds(sb, ", but the execution succeeded\n");
        return;
    }
    strbuf_adds(sb, ", got ");
    add_quoted(sb, act);
    strbuf_addch(sb, '\n');
}

static void judge_output(struct strbuf *sb, const json_t *exp,
                         const struct interp_result *r)
{
    if (!exp)
        return;
    if (r->status != INTERP_SUCCEEDED) {
        strbuf_adds(sb, "output: expected ");
        add_value(sb, exp);
        strbuf_addf(sb, ", but the execution ended %s without output\n",
                    interp_status_name(r->status));
        return;
    }
    if (same_value(exp, r->output))
        return;
    strbuf_adds(sb, "output differs:\n");
    struct differ d = {sb, STRBUF_INIT, 0};
    strbuf_addch(&d.path, '$');
    diff_values(&d, exp, r->output);
    strbuf_release(&d.path);
    strbuf_adds(sb, "  actual output: ");
    add_value(sb, r->output);
    strbuf_addch(sb, '\n');
}

char *wftest_judge(const struct wftest_expect *e, const struct interp_result *r,
                   json_t *history)
{
    struct strbuf sb = STRBUF_INIT;
    judge_status(&sb, e, r);
    judge_text(&sb, "error", e->error, r->error, r);
    judge_text(&sb, "cause", e->cause, r->cause, r);
    judge_output(&sb, e->output, r);
    if (e->path || e->visits) {
        json_t *entered = r->entered ? json_incref(r->entered) : entered_states(history);
        if (e->path)
            judge_path(&sb, e->path, entered);
        if (e->visits)
            judge_visits(&sb, e->visits, entered);
        json_decref(entered);
    }
    if (!sb.len)
        return NULL;
    return strbuf_detach(&sb, NULL);
}

/* ==== running ===================================================================== */

void wftest_run_case(const struct wftest_case *c, json_t *definition,
                     const struct interp_opts *base, struct coverage *cov,
                     struct wftest_result *res)
{
    memset(res, 0, sizeof(*res));
    struct interp_opts o = *base;
    o.start_ms = c->start_ms;
    /* Only path and visits look at the run beyond its result, and only at the states
       entered: a history (every event's JSON text) would cost most of the run. */
    o.history = false;
    o.entered = c->expect.path || c->expect.visits;
    o.trace = NULL;
    o.dryrun = NULL;
    o.redrive = NULL;
    o.mocks = NULL;
    o.observer = NULL;
    struct mock m = {0};
    char *err = NULL;
    if (c->mocks) {
        if (mock_parse(&m, c->mocks, &err) || mock_select(&m, NULL, NULL, &err)) {
            res->failure = xasprintf("mocks: %s\n", err); /* the loader prevents this */
            free(err);
            mock_release(&m);
            return;
        }
        o.mocks = &m;
    }
    struct interp_observer obs;
    if (cov) {
        obs = coverage_observer(cov);
        o.observer = &obs;
    }
    json_t *empty = json_object();
    json_t *input =
        build_scheduled_input(c->input ? c->input : empty, c->start_ms, c->has_time);
    struct interp_result r;
    interp_run(definition, input, &o, &r);
    res->failure = wftest_judge(&c->expect, &r, NULL);
    res->passed = res->failure == NULL;
    res->states = r.states;
    res->virtual_ms = r.end_ms - c->start_ms;
    interp_result_release(&r);
    json_decref(input);
    json_decref(empty);
    mock_release(&m);
}

void wftest_result_release(struct wftest_result *res)
{
    free(res->failure);
    memset(res, 0, sizeof(*res));
}

/* ==== JUnit XML =================================================================== */

void wftest_junit_suite(struct wftest_junit *j, const char *name)
{
    VEC_GROW(j->v, j->nr + 1, j->alloc);
    j->v[j->nr++] = (struct wftest_junit_suite){xstrdup(name), NULL, 0, 0};
}

void wftest_junit_case(struct wftest_junit *j, const char *name, const char *failure)
{
    if (!j->nr)
        BUG("wftest_junit_case before wftest_junit_suite");
    struct wftest_junit_suite *s = &j->v[j->nr - 1];
    VEC_GROW(s->v, s->nr + 1, s->alloc);
    s->v[s->nr++] =
        (struct wftest_junit_case){xstrdup(name), failure ? xstrdup(failure) : NULL};
}

/* XML 1.0 text: escapes markup, drops the control characters XML cannot hold. */
static void add_xml(struct strbuf *sb, const char *s, size_t n, bool attr)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '&':
            strbuf_adds(sb, "&amp;");
            break;
        case '<':
            strbuf_adds(sb, "&lt;");
            break;
        case '>':
            strbuf_adds(sb, "&gt;");
            break;
        case '"':
            strbuf_adds(sb, "&quot;");
            break;
        case '\n':
            strbuf_adds(sb, attr ? "&#10;" : "\n");
            break;
        case '\t':
            strbuf_adds(sb, attr ? "&#9;" : "\t");
            break;
        default:
            if (ch >= 0x20 || ch == '\r')
                strbuf_addch(sb, (char)ch);
        }
    }
}

static void add_xml_s(struct strbuf *sb, const char *s, bool attr)
{
    add_xml(sb, s, strlen(s), attr);
}

static size_t suite_failures(const struct wftest_junit_suite *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nr; i++)
        n += s->v[i].failure != NULL;
    return n;
}

static void add_testcase(struct strbuf *sb, const char *suite,
                         const struct wftest_junit_case *c)
{
    strbuf_adds(sb, "    <testcase classname=\"");
    add_xml_s(sb, suite, true);
    strbuf_adds(sb, "\" name=\"");
    add_xml_s(sb, c->name, true);
    if (!c->failure) {
        strbuf_adds(sb, "\" time=\"0\"/>\n");
        return;
    }
    strbuf_adds(sb, "\" time=\"0\">\n      <failure message=\"");
    const char *nl = strchr(c->failure, '\n');
    add_xml(sb, c->failure, nl ? (size_t)(nl - c->failure) : strlen(c->failure), true);
    strbuf_adds(sb, "\" type=\"AssertionFailed\">");
    add_xml_s(sb, c->failure, false);
    strbuf_adds(sb, "</failure>\n    </testcase>\n");
}

char *wftest_junit_xml(const struct wftest_junit *j)
{
    size_t tests = 0, failures = 0;
    for (size_t i = 0; i < j->nr; i++) {
        tests += j->v[i].nr;
        failures += suite_failures(&j->v[i]);
    }
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    strbuf_addf(&sb,
                "<testsuites name=\"wfgen test\" tests=\"%zu\" failures=\"%zu\" "
                "errors=\"0\" time=\"0\">\n",
                tests, failures);
    for (size_t i = 0; i < j->nr; i++) {
        const struct wftest_junit_suite *s = &j->v[i];
        strbuf_adds(&sb, "  <testsuite name=\"");
        add_xml_s(&sb, s->name, true);
        strbuf_addf(&sb,
                    "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" "
                    "time=\"0\">\n",
                    s->nr, suite_failures(s));
        for (size_t k = 0; k < s->nr; k++)
            add_testcase(&sb, s->name, &s->v[k]);
        strbuf_adds(&sb, "  </testsuite>\n");
    }
    strbuf_adds(&sb, "</testsuites>\n");
    return strbuf_detach(&sb, NULL);
}

void wftest_junit_release(struct wftest_junit *j)
{
    for (size_t i = 0; i < j->nr; i++) {
        for (size_t k = 0; k < j->v[i].nr; k++) {
            free(j->v[i].v[k].name);
            free(j->v[i].v[k].failure);
        }
        free(j->v[i].v);
        free(j->v[i].name);
    }
    free(j->v);
    memset(j, 0, sizeof(*j));
}
