/*
 * Coverage items of a state machine and their hit counts (see coverage.h). State
 * names are unique in a whole machine (validation checks it), so a name finds its
 * items in any scope.
 */
#include "coverage.h"

#include "base/strbuf.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- walking the machine --------------------------------------------------------- */

static void walk_scope(json_t *machine, void (*fn)(void *, const char *, json_t *),
                       void *arg, int depth);

/* Visits the scopes nested in one state: Parallel branches, a Map's processor. */
static void walk_nested(json_t *state, void (*fn)(void *, const char *, json_t *),
                        void *arg, int depth)
{
    size_t i;
    json_t *branch;
    json_array_foreach(json_object_get(state, "Branches"), i, branch)
        walk_scope(branch, fn, arg, depth + 1);
    json_t *proc = json_object_get(state, "ItemProcessor");
    if (!proc)
        proc = json_object_get(state, "Iterator");
    if (proc)
        walk_scope(proc, fn, arg, depth + 1);
}

static void walk_scope(json_t *machine, void (*fn)(void *, const char *, json_t *),
                       void *arg, int depth)
{
    if (depth > 64 || !json_is_object(machine)) /* validated machines are far shallower */
        return;
    const char *name;
    json_t *state;
    json_object_foreach(json_object_get(machine, "States"), name, state)
    {
        if (!json_is_object(state))
            continue;
        fn(arg, name, state);
        walk_nested(state, fn, arg, depth);
    }
}

void coverage_walk(json_t *machine,
                   void (*fn)(void *arg, const char *name, json_t *state), void *arg)
{
    walk_scope(machine, fn, arg, 0);
}

/* ---- listing the items ----------------------------------------------------------- */

static struct cov_item *add_item(struct coverage *cov, enum cov_kind kind,
                                 const char *state, const char *to, int index,
                                 char *label)
{
    VEC_GROW(cov->v, cov->nr + 1, cov->alloc);
    struct cov_item *it = &cov->v[cov->nr++];
    *it = (struct cov_item){kind, state, to, index, label, 0};
    return it;
}

/* Adds the transition state -> to unless the state already has it. */
static void add_transition(struct coverage *cov, size_t first, const char *state,
                           const char *to)
{
    if (!to)
        return;
    for (size_t i = first; i < cov->nr; i++)
        if (cov->v[i].kind == COV_TRANSITION && !strcmp(cov->v[i].to, to))
            return;
    add_item(cov, COV_TRANSITION, state, to, -1,
             xasprintf("transition %s -> %s", state, to));
}

static const char *next_of(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* "[A, B]": the ErrorEquals list of a retrier or catcher. */
static void add_error_list(struct strbuf *sb, json_t *entry)
{
    size_t i;
    json_t *name;
    strbuf_addch(sb, '[');
    json_array_foreach(json_object_get(entry, "ErrorEquals"), i, name) strbuf_addf(
        sb, "%s%s", i ? ", " : "", json_is_string(name) ? json_string_value(name) : "?");
    strbuf_addch(sb, ']');
}

static void add_handlers(struct coverage *cov, const char *state, json_t *list,
                         enum cov_kind kind)
{
    const char *field = kind == COV_RETRIER ? "Retry" : "Catch";
    size_t i;
    json_t *entry;
    json_array_foreach(list, i, entry)
    {
        struct strbuf sb = STRBUF_INIT;
        strbuf_addf(&sb, "%s %s %s[%zu] ", kind == COV_RETRIER ? "retrier" : "catcher",
                    state, field, i);
        add_error_list(&sb, entry);
        const char *to = kind == COV_CATCHER ? next_of(entry, "Next") : NULL;
        if (to)
            strbuf_addf(&sb, " -> %s", to);
        add_item(cov, kind, state, to, (int)i, strbuf_detach(&sb, NULL));
    }
}

/* Adds one state's items: itself, its transitions, rules, retriers and catchers. */
static void add_state(void *arg, const char *name, json_t *state)
{
    struct coverage *cov = arg;
    if (json_object_get(cov->index, name))
        return; /* a duplicate name; validation reports it */
    json_object_set_new(cov->index, name, json_integer((json_int_t)cov->nr));
    size_t first = cov->nr;
    add_item(cov, COV_STATE, name, NULL, -1, xasprintf("state %s", name));
    json_t *rules = json_object_get(state, "Choices");
    size_t i;
    json_t *rule;
    json_array_foreach(rules, i, rule)
        add_transition(cov, first, name, next_of(rule, "Next"));
    add_transition(cov, first, name, next_of(state, "Default"));
    add_transition(cov, first, name, next_of(state, "Next"));
    json_t *catchers = json_object_get(state, "Catch");
    json_t *c;
    json_array_foreach(catchers, i, c)
        add_transition(cov, first, name, next_of(c, "Next"));
    json_array_foreach(rules, i, rule)
    {
        const char *to = next_of(rule, "Next");
        add_item(cov, COV_CHOICE, name, to, (int)i,
                 xasprintf("Choice rule %s Choices[%zu] -> %s", name, i, to ? to : "?"));
    }
    const char *dflt = next_of(state, "Default");
    if (dflt)
        add_item(cov, COV_CHOICE, name, dflt, -1,
                 xasprintf("Choice rule %s Default -> %s", name, dflt));
    add_handlers(cov, name, json_object_get(state, "Retry"), COV_RETRIER);
    add_handlers(cov, name, catchers, COV_CATCHER);
}

void coverage_init(struct coverage *cov, json_t *definition)
{
    memset(cov, 0, sizeof(*cov));
    cov->definition = json_incref(definition);
    cov->index = json_object();
    coverage_walk(definition, add_state, cov);
}

void coverage_release(struct coverage *cov)
{
    for (size_t i = 0; i < cov->nr; i++)
        free(cov->v[i].label);
    free(cov->v);
    json_decref(cov->index);
    json_decref(cov->definition);
    memset(cov, 0, sizeof(*cov));
}

/* ---- counting -------------------------------------------------------------------- */

/* The item of `state` with this kind and target or index, or NULL. */
static struct cov_item *find(struct coverage *cov, const char *state, enum cov_kind kind,
                             const char *to, int index)
{
    json_t *pos = state ? json_object_get(cov->index, state) : NULL;
    if (!pos)
        return NULL;
    for (size_t i = (size_t)json_integer_value(pos); i < cov->nr; i++) {
        struct cov_item *it = &cov->v[i];
        if (it->kind == COV_STATE && strcmp(it->state, state))
            break; /* the next state's items */
        if (it->kind != kind)
            continue;
        if (to ? it->to && !strcmp(it->to, to) : it->index == index)
            return it;
    }
    return NULL;
}

void coverage_note(struct coverage *cov, const struct interp_note *n)
{
    struct cov_item *it = NULL;
    switch (n->kind) {
    case INTERP_NOTE_ENTER:
        it = find(cov, n->from, COV_TRANSITION, n->state, -1);
        if (it)
            it->hits++;
        it = find(cov, n->state, COV_STATE, NULL, -1);
        break;
    case INTERP_NOTE_CHOICE:
        it = find(cov, n->state, COV_CHOICE, NULL, n->index);
        break;
    case INTERP_NOTE_RETRY:
        it = find(cov, n->state, COV_RETRIER, NULL, n->index);
        break;
    case INTERP_NOTE_CATCH:
        it = find(cov, n->state, COV_CATCHER, NULL, n->index);
        break;
    }
    if (it)
        it->hits++;
}

static void observe(void *arg, const struct interp_note *n)
{
    coverage_note(arg, n);
}

struct interp_observer coverage_observer(struct coverage *cov)
{
    return (struct interp_observer){observe, cov};
}

/* ---- reporting ------------------------------------------------------------------- */

void coverage_count(const struct coverage *cov, enum cov_kind kind, size_t *hit,
                    size_t *total)
{
    *hit = *total = 0;
    for (size_t i = 0; i < cov->nr; i++) {
        if (cov->v[i].kind != kind)
            continue;
        (*total)++;
        if (cov->v[i].hits)
            (*hit)++;
    }
}

const char *coverage_kind_name(enum cov_kind kind)
{
    static const char *const names[COV__COUNT] = {
        [COV_STATE] = "states",        [COV_TRANSITION] = "transitions",
        [COV_CHOICE] = "Choice rules", [COV_RETRIER] = "retriers",
        [COV_CATCHER] = "catchers",
    };
    return names[kind];
}

void coverage_report(const struct coverage *cov, const char *title, FILE *out)
{
    fprintf(out, "coverage of %s:", title);
    for (int k = 0; k < COV__COUNT; k++) {
        size_t hit, total;
        coverage_count(cov, (enum cov_kind)k, &hit, &total);
        fprintf(out, "%s %s %zu/%zu", k ? "," : "", coverage_kind_name((enum cov_kind)k),
                hit, total);
    }
    fputc('\n', out);
    for (size_t i = 0; i < cov->nr; i++)
        if (!cov->v[i].hits)
            fprintf(out, "  never exercised: %s\n", cov->v[i].label);
}
