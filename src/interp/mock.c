/*
 * Mock-config files (AWS Step Functions Local format): shape checks at load time, test
 * case selection, and the lookup of one invocation's answer by its number or range.
 */
#include "interp/mock.h"

#include "base/xalloc.h"

#include <string.h>

/* Largest invocation number a key may name; keeps range arithmetic far from overflow. */
#define MOCK_MAX_INVOCATION 100000000UL

/* Parses a decimal number without sign or leading '+'; returns the end or NULL. */
static const char *parse_count(const char *s, unsigned long *out)
{
    if (*s < '0' || *s > '9')
        return NULL;
    unsigned long v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (unsigned long)(*s - '0');
        if (v > MOCK_MAX_INVOCATION)
            return NULL;
    }
    *out = v;
    return s;
}

/* Parses a response key: "N" or "N-M" with N <= M. Returns 0 or -1. */
static int parse_range(const char *key, unsigned long *lo, unsigned long *hi)
{
    const char *p = parse_count(key, lo);
    if (!p)
        return -1;
    if (*p == '\0') {
        *hi = *lo;
        return 0;
    }
    if (*p != '-')
        return -1;
    p = parse_count(p + 1, hi);
    if (!p || *p != '\0' || *hi < *lo)
        return -1;
    return 0;
}

static int fail(char **err, char *msg)
{
    *err = msg;
    return -1;
}

/* Checks one entry {"Return": v} or {"Throw": {"Error", "Cause"}} (+ "Duration"). */
static int check_entry(const char *resp, const char *key, json_t *entry, char **err)
{
    if (!json_is_object(entry))
        return fail(err, xasprintf("MockedResponses.%s.%s: not an object", resp, key));
    json_t *ret = json_object_get(entry, "Return"),
           *thr = json_object_get(entry, "Throw");
    if (!ret == !thr)
        return fail(err, xasprintf("MockedResponses.%s.%s: needs exactly one of Return "
                                   "and Throw",
                                   resp, key));
    const char *k;
    json_t *v;
    json_object_foreach(entry, k, v)
    {
        if (strcmp(k, "Return") && strcmp(k, "Throw") && strcmp(k, "Duration"))
            return fail(
                err, xasprintf("MockedResponses.%s.%s: unknown key '%s'", resp, key, k));
    }
    json_t *dur = json_object_get(entry, "Duration");
    if (dur && (!json_is_number(dur) || json_number_value(dur) < 0 ||
                json_number_value(dur) > 1e9))
        return fail(err, xasprintf("MockedResponses.%s.%s: Duration must be a number of "
                                   "seconds from 0 to 1000000000",
                                   resp, key));
    if (!thr)
        return 0;
    if (!json_is_object(thr) || !json_is_string(json_object_get(thr, "Error")))
        return fail(err, xasprintf("MockedResponses.%s.%s: Throw needs a string Error",
                                   resp, key));
    json_object_foreach(thr, k, v)
    {
        if (strcmp(k, "Error") && strcmp(k, "Cause"))
            return fail(err, xasprintf("MockedResponses.%s.%s: unknown key '%s' in Throw",
                                       resp, key, k));
    }
    return 0;
}

/* Checks one response: its keys are numbers or ranges that never overlap. */
static int check_response(const char *resp, json_t *r, char **err)
{
    if (!json_is_object(r) || json_object_size(r) == 0)
        return fail(err, xasprintf("MockedResponses.%s: not a non-empty object", resp));
    const char *key;
    json_t *entry;
    json_object_foreach(r, key, entry)
    {
        unsigned long lo, hi;
        if (parse_range(key, &lo, &hi))
            return fail(err,
                        xasprintf("MockedResponses.%s: key '%s' is not an invocation "
                                  "number or range such as \"0\" or \"1-3\"",
                                  resp, key));
        if (check_entry(resp, key, entry, err))
            return -1;
        const char *key2;
        json_t *e2;
        json_object_foreach(r, key2, e2)
        {
            unsigned long lo2, hi2;
            if (key2 == key || strcmp(key2, key) >= 0 || parse_range(key2, &lo2, &hi2))
                continue;
            if (lo2 <= hi && lo <= hi2)
                return fail(err,
                            xasprintf("MockedResponses.%s: keys '%s' and '%s' overlap",
                                      resp, key2, key));
        }
    }
    return 0;
}

static int check_machines(json_t *sms, char **err)
{
    if (!json_is_object(sms))
        return fail(err, xstrdup("StateMachines: not an object"));
    const char *name;
    json_t *sm;
    json_object_foreach(sms, name, sm)
    {
        json_t *tcs = json_object_get(sm, "TestCases");
        if (!json_is_object(sm) || !json_is_object(tcs))
            return fail(err,
                        xasprintf("StateMachines.%s: needs a TestCases object", name));
        const char *cname;
        json_t *tc;
        json_object_foreach(tcs, cname, tc)
        {
            if (!json_is_object(tc))
                return fail(err, xasprintf("StateMachines.%s.TestCases.%s: not an object",
                                           name, cname));
            const char *state;
            json_t *rn;
            json_object_foreach(tc, state, rn)
            {
                if (!json_is_string(rn))
                    return fail(err, xasprintf("StateMachines.%s.TestCases.%s.%s: not a "
                                               "response name",
                                               name, cname, state));
            }
        }
    }
    return 0;
}

int mock_parse(struct mock *m, json_t *doc, char **err)
{
    memset(m, 0, sizeof(*m));
    *err = NULL;
    if (!json_is_object(doc))
        return fail(err, xstrdup("a mock file is an object with StateMachines and "
                                 "MockedResponses"));
    const char *k;
    json_t *v;
    json_object_foreach(doc, k, v)
    {
        if (strcmp(k, "StateMachines") && strcmp(k, "MockedResponses"))
            return fail(err, xasprintf("unknown top-level key '%s'", k));
    }
    json_t *sms = json_object_get(doc, "StateMachines");
    json_t *resps = json_object_get(doc, "MockedResponses");
    if (!sms)
        return fail(err, xstrdup("StateMachines is missing"));
    if (check_machines(sms, err))
        return -1;
    if (resps && !json_is_object(resps))
        return fail(err, xstrdup("MockedResponses: not an object"));
    json_object_foreach(resps, k, v)
    {
        if (check_response(k, v, err))
            return -1;
    }
    m->doc = json_incref(doc);
    return 0;
}

int mock_select(struct mock *m, const char *machine, const char *case_name, char **err)
{
    json_t *sms = json_object_get(m->doc, "StateMachines");
    json_t *sm = NULL;
    if (machine) {
        sm = json_object_get(sms, machine);
        if (!sm)
            return fail(err,
                        xasprintf("no state machine '%s' in the mock file", machine));
    } else if (json_object_size(sms) == 1) {
        void *it = json_object_iter(sms);
        machine = json_object_iter_key(it);
        sm = json_object_iter_value(it);
    } else {
        return fail(err, xasprintf("the mock file holds %zu state machines; choose one "
                                   "with --state-machine",
                                   json_object_size(sms)));
    }
    json_t *tcs = json_object_get(sm, "TestCases");
    if (!case_name) {
        if (json_object_size(tcs) != 1)
            return fail(err,
                        xasprintf("state machine '%s' has %zu test cases; choose one "
                                  "with --case",
                                  machine, json_object_size(tcs)));
        case_name = json_object_iter_key(json_object_iter(tcs));
    }
    json_t *tc = json_object_get(tcs, case_name);
    if (!tc)
        return fail(err, xasprintf("state machine '%s' has no test case '%s'", machine,
                                   case_name));
    json_t *resps = json_object_get(m->doc, "MockedResponses");
    const char *state;
    json_t *rn;
    json_object_foreach(tc, state, rn)
    {
        if (!json_object_get(resps, json_string_value(rn)))
            return fail(err,
                        xasprintf("test case '%s' maps state '%s' to unknown response "
                                  "'%s'",
                                  case_name, state, json_string_value(rn)));
    }
    m->cases = tc;
    m->machine = json_object_iter_key(json_object_iter_at(sms, machine));
    m->case_name = json_object_iter_key(json_object_iter_at(tcs, case_name));
    return 0;
}

enum mock_kind mock_lookup(const struct mock *m, const char *state,
                           unsigned long invocation, struct mock_answer *out)
{
    memset(out, 0, sizeof(*out));
    json_t *rn = m->cases ? json_object_get(m->cases, state) : NULL;
    if (!rn)
        return out->kind = MOCK_UNMOCKED;
    out->response = json_string_value(rn);
    json_t *r =
        json_object_get(json_object_get(m->doc, "MockedResponses"), out->response);
    const char *key;
    json_t *entry;
    json_object_foreach(r, key, entry)
    {
        unsigned long lo, hi;
        if (parse_range(key, &lo, &hi) || invocation < lo || invocation > hi)
            continue;
        json_t *dur = json_object_get(entry, "Duration");
        out->duration = dur ? json_number_value(dur) : 0;
        json_t *thr = json_object_get(entry, "Throw");
        if (thr) {
            out->error = json_string_value(json_object_get(thr, "Error"));
            out->cause = json_object_get(thr, "Cause");
            return out->kind = MOCK_THROW;
        }
        out->result = json_object_get(entry, "Return");
        return out->kind = MOCK_RETURN;
    }
    return out->kind = MOCK_MISSING;
}

void mock_release(struct mock *m)
{
    json_decref(m->doc);
    memset(m, 0, sizeof(*m));
}
