/*
 * ASL validator entry point. Walks a definition into scopes (the machine, Parallel
 * branches, Map processors) and states, checks every state against the field matrix and
 * the rules of its type, then each scope's transition graph (targets, reachability,
 * terminal states), variables and whole-definition lints.
 */
#include "asl/asl_int.h"
#include "base/suggest.h"

#include "base/strbuf.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define STATE_NAME_MAX 80

/* ---- helpers shared by the validator's files --------------------------------------- */

void asl_diag(struct asl_ctx *c, enum diag_id id, struct loc loc, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    if (diag_add(c->dl, id, loc, "%s", sb.buf))
        c->rc = -1;
    strbuf_release(&sb);
}

void asl_note(struct asl_ctx *c, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    diag_note(c->dl, "%s", sb.buf);
    strbuf_release(&sb);
}

struct loc asl_loc(const struct asl_ctx *c, const json_t *parent, const char *key,
                   size_t idx)
{
    return key ? yload_member_loc(c->doc, parent, key)
               : yload_index_loc(c->doc, parent, idx);
}

/* {"Ref": ...} or {"Fn::<name>": ...}: what CloudFormation puts where a string goes. */
static bool cfn_intrinsic(const json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) != 1)
        return false;
    const char *k = json_object_iter_key(json_object_iter((json_t *)v));
    return !strcmp(k, "Ref") || !strncmp(k, "Fn::", 4);
}

bool asl_placeholder(const struct asl_ctx *c, const json_t *v)
{
    if (!c->opts || !c->opts->allow_placeholders)
        return false;
    if (cfn_intrinsic(v))
        return true;
    if (!json_is_string(v))
        return false;
    const char *s = strstr(json_string_value(v), "${");
    return s && strchr(s + 2, '}');
}

/* ---- scopes and states ------------------------------------------------------------- */

static size_t push_scope(struct asl_ctx *c, const json_t *m, size_t parent, size_t owner,
                         bool distributed, char *what)
{
    VEC_GROW(c->scopes, c->nscopes + 1, c->ascopes);
    c->scopes[c->nscopes] =
        (struct asl_scope){m, NULL, parent, owner, distributed, 0, 0, ASL_NONE, what};
    return c->nscopes++;
}

static void push_state(struct asl_ctx *c, const json_t *states, const char *name,
                       const json_t *obj, size_t scope)
{
    VEC_GROW(c->states, c->nstates + 1, c->astates);
    struct asl_state *st = &c->states[c->nstates++];
    memset(st, 0, sizeof(*st));
    st->name = name;
    st->obj = obj;
    st->parent = states;
    st->scope = scope;
    st->type = ST_UNKNOWN;
    st->jsonata = c->top_jsonata;
    if (!json_is_object(obj))
        return;
    const char *type = json_string_value(json_object_get(obj, "Type"));
    if (type)
        st->type = asl_type_parse(type);
    const char *ql = json_string_value(json_object_get(obj, "QueryLanguage"));
    if (ql && (!strcmp(ql, "JSONata") || !strcmp(ql, "JSONPath")))
        st->jsonata = !strcmp(ql, "JSONata");
}

static void check_state_name(struct asl_ctx *c, const json_t *states, const char *name)
{
    size_t chars = 0;
    bool control = false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        chars += (*p & 0xC0) != 0x80;
        control |=
            *p < 0x20 || *p == 0x7f || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F);
    }
    struct loc loc = yload_key_loc(c->doc, states, name);
    if (chars == 0)
        asl_diag(c, D_ASL_STATE_NAME_LENGTH, loc, "state name is empty");
    else if (chars > STATE_NAME_MAX)
        asl_diag(c, D_ASL_STATE_NAME_LENGTH, loc,
                 "state name '%.40s...' is %zu characters long", name, chars);
    if (chars == 0 || chars > STATE_NAME_MAX)
        asl_note(c, "state names hold 1 to %d characters", STATE_NAME_MAX);
    if (control) {
        struct strbuf sb = STRBUF_INIT;
        for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
            if (*p < 0x20 || *p == 0x7f)
                strbuf_addf(&sb, "\\u%04x", *p);
            else
                strbuf_addch(&sb, (char)*p);
        }
        asl_diag(c, D_ASL_STATE_NAME_CHARS, loc,
                 "state name '%s' holds a control character", sb.buf);
        strbuf_release(&sb);
        asl_note(c,
                 "Step Functions refuses U+0000-U+001F and U+007F-U+009F in state names");
    }
}

static void collect_machine(struct asl_ctx *c, const json_t *m, enum asl_kind kind,
                            size_t parent, size_t owner, bool distributed, char *what);

static bool processor_distributed(const json_t *proc)
{
    const json_t *pc = json_object_get(proc, "ProcessorConfig");
    const char *mode = json_string_value(json_object_get(pc, "Mode"));
    return mode && !strcmp(mode, "DISTRIBUTED");
}

/* Descends into the branches / processors of state i (a Parallel or Map). */
static void collect_children(struct asl_ctx *c, size_t i)
{
    enum asl_stype type = c->states[i].type;
    const json_t *obj = c->states[i].obj;
    const char *name = c->states[i].name;
    size_t scope = c->states[i].scope;
    if (type == ST_PARALLEL) {
        const json_t *br = json_object_get(obj, "Branches");
        for (size_t k = 0; k < json_array_size(br); k++) {
            const json_t *b = json_array_get(br, k);
            if (json_is_object(b))
                collect_machine(c, b, AK_MACHINE, scope, i, false,
                                xasprintf("branch %zu of state '%s'", k, name));
        }
    } else if (type == ST_MAP) {
        const json_t *proc = json_object_get(obj, "ItemProcessor");
        const json_t *iter = json_object_get(obj, "Iterator");
        if (json_is_object(proc))
            collect_machine(c, proc, AK_PROCESSOR, scope, i, processor_distributed(proc),
                            xasprintf("the ItemProcessor of state '%s'", name));
        if (json_is_object(iter))
            collect_machine(c, iter, AK_PROCESSOR, scope, i, processor_distributed(iter),
                            xasprintf("the Iterator of state '%s'", name));
    }
}

/*
 * Records a machine object as a scope and its states, then recurses into nested
 * machines. The states of one scope are contiguous in c->states. Takes `what`.
 */
static void collect_machine(struct asl_ctx *c, const json_t *m, enum asl_kind kind,
                            size_t parent, size_t owner, bool distributed, char *what)
{
    size_t si = push_scope(c, m, parent, owner, distributed, what);
    asl_check_object(c, kind, m, c->top_jsonata, what);
    const json_t *states = json_object_get(m, "States");
    if (!json_is_object(states))
        return;
    c->scopes[si].states = states;
    c->scopes[si].first = c->nstates;
    const char *name;
    json_t *st;
    json_object_foreach((json_t *)states, name, st)
    {
        check_state_name(c, states, name);
        push_state(c, states, name, st, si);
    }
    c->scopes[si].n = c->nstates - c->scopes[si].first;
    for (size_t i = c->scopes[si].first; i < c->scopes[si].first + c->scopes[si].n; i++)
        collect_children(c, i);
}

/* ---- name lookups ------------------------------------------------------------------ */

static int cmp_byscope(const void *a, const void *b)
{
    const struct asl_name *x = a, *y = b;
    if (x->scope != y->scope)
        return x->scope < y->scope ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void build_lookup(struct asl_ctx *c)
{
    c->byscope = xcalloc(c->nstates ? c->nstates : 1, sizeof(*c->byscope));
    for (size_t i = 0; i < c->nstates; i++)
        c->byscope[i] = (struct asl_name){c->states[i].name, c->states[i].scope, i};
    qsort(c->byscope, c->nstates, sizeof(*c->byscope), cmp_byscope);
}

static size_t find_state(const struct asl_ctx *c, size_t scope, const char *name)
{
    struct asl_name key = {name, scope, 0};
    const struct asl_name *hit =
        bsearch(&key, c->byscope, c->nstates, sizeof(*c->byscope), cmp_byscope);
    return hit ? hit->state : ASL_NONE;
}

static size_t find_anywhere(const struct asl_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->nstates; i++)
        if (!strcmp(c->states[i].name, name))
            return i;
    return ASL_NONE;
}

/* Reports a StartAt/Next/Default naming no state of `scope`, with a helpful note. */
static void bad_target(struct asl_ctx *c, const json_t *parent, const char *key,
                       size_t scope, const char *from)
{
    const char *name = json_string_value(json_object_get(parent, key));
    asl_diag(c, D_ASL_BAD_TARGET, asl_loc(c, parent, key, 0),
             "'%s' of %s names '%s', which is not a state of %s", key, from, name,
             c->scopes[scope].what);
    size_t other = find_anywhere(c, name);
    if (other != ASL_NONE) {
        asl_note(c,
                 "'%s' belongs to %s; transitions cannot cross into or out of a Parallel "
                 "branch or Map processor",
                 name, c->scopes[c->states[other].scope].what);
        return;
    }
    const struct asl_scope *sc = &c->scopes[scope];
    const char **cands = xcalloc(sc->n ? sc->n : 1, sizeof(*cands));
    for (size_t i = 0; i < sc->n; i++)
        cands[i] = c->states[sc->first + i].name;
    const char *best = suggest_closest(name, cands, sc->n);
    if (best)
        asl_note(c, "did you mean '%s'?", best);
    free(cands);
}

void asl_add_edge(struct asl_ctx *c, const json_t *parent, const char *key,
                  const char *where)
{
    if (c->cur == ASL_NONE)
        return;
    struct asl_state *st = &c->states[c->cur];
    size_t to = find_state(c, st->scope, json_string_value(json_object_get(parent, key)));
    if (to == ASL_NONE) {
        bad_target(c, parent, key, st->scope, where);
        st->dangling = true;
        return;
    }
    VEC_GROW(st->edges, st->nedges + 1, st->aedges);
    st->edges[st->nedges++] = (struct asl_edge){to, c->cur_assign};
}

/* ---- duplicate names --------------------------------------------------------------- */

struct named_loc {
    const char *name;
    struct loc loc;
};

static int cmp_named_loc(const void *a, const void *b)
{
    const struct named_loc *x = a, *y = b;
    int r = strcmp(x->name, y->name);
    if (r)
        return r;
    if (x->loc.line != y->loc.line)
        return x->loc.line < y->loc.line ? -1 : 1;
    return x->loc.col < y->loc.col ? -1 : x->loc.col > y->loc.col;
}

/* State names are unique in the whole machine, nested scopes included. */
static void check_duplicates(struct asl_ctx *c)
{
    struct named_loc *v = xcalloc(c->nstates ? c->nstates : 1, sizeof(*v));
    for (size_t i = 0; i < c->nstates; i++)
        v[i] = (struct named_loc){
            c->states[i].name,
            yload_key_loc(c->doc, c->states[i].parent, c->states[i].name)};
    qsort(v, c->nstates, sizeof(*v), cmp_named_loc);
    for (size_t i = 1; i < c->nstates; i++) {
        if (strcmp(v[i].name, v[i - 1].name))
            continue;
        size_t first = i - 1;
        while (first > 0 && !strcmp(v[first - 1].name, v[i].name))
            first--;
        asl_diag(c, D_ASL_STATE_DUP, v[i].loc, "state name '%s' is used twice",
                 v[i].name);
        if (v[first].loc.line)
            asl_note(
                c,
                "first defined on line %u; names must be unique in the whole machine, "
                "Parallel branches and Map processors included",
                v[first].loc.line);
    }
    free(v);
}

/* ---- per-state checks -------------------------------------------------------------- */

static void check_type(struct asl_ctx *c, const struct asl_state *st)
{
    const json_t *t = json_object_get(st->obj, "Type");
    struct strbuf sb = STRBUF_INIT;
    const char *const *names = asl_type_names();
    for (size_t i = 0; i < ST__COUNT; i++)
        strbuf_addf(&sb, "%s%s", i ? ", " : "", names[i]);
    if (!t) {
        asl_diag(c, D_ASL_STATE_TYPE, yload_key_loc(c->doc, st->parent, st->name),
                 "state '%s' has no 'Type'", st->name);
        asl_note(c, "add \"Type\": one of %s", sb.buf);
    } else if (!json_is_string(t)) {
        asl_diag(c, D_ASL_STATE_TYPE, yload_member_loc(c->doc, st->obj, "Type"),
                 "'Type' of state '%s' is not a string", st->name);
        asl_note(c, "use one of %s", sb.buf);
    } else {
        asl_diag(c, D_ASL_STATE_TYPE, yload_member_loc(c->doc, st->obj, "Type"),
                 "unknown state type '%s' in state '%s'", json_string_value(t), st->name);
        const char *best = suggest_closest(json_string_value(t), names, ST__COUNT);
        if (best)
            asl_note(c, "did you mean '%s'?", best);
        else
            asl_note(c, "use one of %s", sb.buf);
    }
    strbuf_release(&sb);
}

static void check_next_end(struct asl_ctx *c, struct asl_state *st)
{
    const json_t *next = json_object_get(st->obj, "Next");
    const json_t *end = json_object_get(st->obj, "End");
    if (st->type == ST_CHOICE)
        return;
    if (st->type == ST_SUCCEED || st->type == ST_FAIL || (end && !json_is_boolean(end))) {
        st->terminal = true; /* a non-boolean End was reported as a bad value */
        return;
    }
    st->terminal = json_is_true(end) || !next;
    if (next && json_is_true(end)) {
        asl_diag(c, D_ASL_NEXT_AND_END, yload_key_loc(c->doc, st->obj, "End"),
                 "state '%s' has both 'Next' and 'End'", st->name);
        asl_note(c, "keep \"Next\" to continue, or \"End\": true to stop here");
    } else if (!next && !json_is_true(end)) {
        asl_diag(c, D_ASL_NO_NEXT_OR_END,
                 end ? yload_member_loc(c->doc, st->obj, "End")
                     : yload_key_loc(c->doc, st->parent, st->name),
                 "state '%s' has no Next or End", st->name);
        asl_note(c, "add \"End\": true or \"Next\": \"<state>\"");
    }
}

static void check_task(struct asl_ctx *c, const struct asl_state *st)
{
    const json_t *hb = json_object_get(st->obj, "HeartbeatSeconds");
    const json_t *to = json_object_get(st->obj, "TimeoutSeconds");
    if (json_is_integer(hb) && json_is_integer(to) &&
        json_integer_value(hb) >= json_integer_value(to)) {
        asl_diag(c, D_ASL_HEARTBEAT_TIMEOUT,
                 yload_member_loc(c->doc, st->obj, "HeartbeatSeconds"),
                 "'HeartbeatSeconds' (%" JSON_INTEGER_FORMAT
                 ") of state '%s' is not below its "
                 "'TimeoutSeconds' (%" JSON_INTEGER_FORMAT ")",
                 json_integer_value(hb), st->name, json_integer_value(to));
        asl_note(c, "heartbeats must be due more often than the task times out");
    }
}

static void check_wait(struct asl_ctx *c, const struct asl_state *st)
{
    static const char *const durations[] = {"Seconds", "Timestamp", "SecondsPath",
                                            "TimestampPath"};
    const char *first = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(durations); i++) {
        if (!json_object_get(st->obj, durations[i]) || (i >= 2 && st->jsonata))
            continue;
        if (!first) {
            first = durations[i];
            continue;
        }
        asl_diag(c, D_ASL_WAIT_DURATION, yload_key_loc(c->doc, st->obj, durations[i]),
                 "Wait state '%s' has both '%s' and '%s'", st->name, first, durations[i]);
        asl_note(c, "a Wait state takes exactly one duration field");
    }
    if (!first) {
        asl_diag(c, D_ASL_WAIT_DURATION, yload_key_loc(c->doc, st->parent, st->name),
                 "Wait state '%s' has no duration", st->name);
        asl_note(c, st->jsonata
                        ? "add \"Seconds\" or \"Timestamp\""
                        : "add one of \"Seconds\", \"Timestamp\", \"SecondsPath\" or "
                          "\"TimestampPath\"");
    }
}

static void check_map(struct asl_ctx *c, const struct asl_state *st)
{
    static const char *const distributed_only[] = {"ItemReader",
                                                   "ItemBatcher",
                                                   "ResultWriter",
                                                   "ToleratedFailureCount",
                                                   "ToleratedFailureCountPath",
                                                   "ToleratedFailurePercentage",
                                                   "ToleratedFailurePercentagePath",
                                                   "Label"};
    const json_t *proc = json_object_get(st->obj, "ItemProcessor");
    if (!proc)
        proc = json_object_get(st->obj, "Iterator");
    if (!proc) {
        asl_diag(c, D_ASL_MISSING_FIELD, yload_key_loc(c->doc, st->parent, st->name),
                 "missing 'ItemProcessor' in state '%s'", st->name);
        asl_note(c, "add \"ItemProcessor\": {\"StartAt\": ..., \"States\": {...}}");
    }
    bool distributed = json_is_object(proc) && processor_distributed(proc);
    const json_t *pc = json_object_get(proc, "ProcessorConfig");
    if (json_is_object(pc)) {
        if (distributed && !json_object_get(pc, "ExecutionType")) {
            asl_diag(c, D_ASL_MISSING_FIELD,
                     yload_member_loc(c->doc, proc, "ProcessorConfig"),
                     "missing 'ExecutionType' in the distributed ProcessorConfig of "
                     "state '%s'",
                     st->name);
            asl_note(c, "add \"ExecutionType\": \"STANDARD\" or \"EXPRESS\"");
        } else if (!distributed && json_object_get(pc, "ExecutionType")) {
            asl_diag(c, D_ASL_MAP_DISTRIBUTED_ONLY,
                     yload_key_loc(c->doc, pc, "ExecutionType"),
                     "'ExecutionType' in state '%s' needs a distributed Map", st->name);
            asl_note(
                c, "add \"Mode\": \"DISTRIBUTED\" to the ProcessorConfig, or remove it");
        }
    }
    if (distributed)
        return;
    for (size_t i = 0; i < ARRAY_SIZE(distributed_only); i++) {
        if (!json_object_get(st->obj, distributed_only[i]))
            continue;
        asl_diag(c, D_ASL_MAP_DISTRIBUTED_ONLY,
                 yload_key_loc(c->doc, st->obj, distributed_only[i]),
                 "'%s' in state '%s' needs a distributed Map", distributed_only[i],
                 st->name);
        asl_note(
            c, "set \"ProcessorConfig\": {\"Mode\": \"DISTRIBUTED\", \"ExecutionType\": "
               "\"STANDARD\"} in the ItemProcessor");
    }
}

/*
 * A JSONata machine may not declare JSONPath states. Child executions of a distributed
 * Map are separate state machines, so their states are left alone.
 */
static void check_ql_mix(struct asl_ctx *c, const struct asl_state *st)
{
    const char *ql = json_string_value(json_object_get(st->obj, "QueryLanguage"));
    if (!c->top_jsonata || !ql || strcmp(ql, "JSONPath"))
        return;
    for (size_t s = st->scope; s != ASL_NONE; s = c->scopes[s].parent)
        if (c->scopes[s].distributed)
            return;
    asl_diag(c, D_ASL_QL_MIX, yload_member_loc(c->doc, st->obj, "QueryLanguage"),
             "state '%s' uses JSONPath inside a JSONata state machine", st->name);
    asl_note(c,
             "remove \"QueryLanguage\" from the state, or make the machine JSONPath and "
             "opt single states into JSONata");
}

static void check_state(struct asl_ctx *c, size_t si)
{
    struct asl_state *st = &c->states[si];
    char *where = xasprintf("state '%s'", st->name);
    c->cur = si;
    if (!json_is_object(st->obj)) {
        asl_diag(c, D_ASL_FIELD_VALUE, yload_member_loc(c->doc, st->parent, st->name),
                 "state '%s' must be an object", st->name);
        if (asl_field_find(AK_TOP, st->name))
            asl_note(c,
                     "'%s' is a field of the state machine: move it out of \"States\", "
                     "next to \"StartAt\"",
                     st->name);
        st->terminal = true;
        goto out;
    }
    c->cur_assign = json_object_get(st->obj, "Assign");
    if (st->type == ST_UNKNOWN) {
        check_type(c, st);
        st->terminal = true;
        goto out;
    }
    check_ql_mix(c, st);
    asl_check_state_fields(c, si, where);
    check_next_end(c, st);
    switch (st->type) {
    case ST_TASK:
        check_task(c, st);
        break;
    case ST_CHOICE:
        asl_check_choice(c, si, where);
        break;
    case ST_WAIT:
        check_wait(c, st);
        break;
    case ST_MAP:
        check_map(c, st);
        break;
    default:
        break;
    }
    asl_lint_state(c, si, where);
out:
    c->cur = ASL_NONE;
    c->cur_assign = NULL;
    free(where);
}

/* ---- transition graph -------------------------------------------------------------- */

static void mark_reachable(struct asl_ctx *c, size_t start)
{
    size_t *stack = xmalloc(sizeof(*stack) * (c->nstates + 1)), n = 0;
    c->states[start].reachable = true;
    stack[n++] = start;
    while (n) {
        const struct asl_state *st = &c->states[stack[--n]];
        for (size_t e = 0; e < st->nedges; e++) {
            size_t to = st->edges[e].to;
            if (!c->states[to].reachable) {
                c->states[to].reachable = true;
                stack[n++] = to;
            }
        }
    }
    free(stack);
}

static void check_scope_graph(struct asl_ctx *c, size_t si)
{
    struct asl_scope *sc = &c->scopes[si];
    const json_t *start = json_object_get(sc->machine, "StartAt");
    if (!sc->states || !sc->n || !json_is_string(start))
        return;
    size_t s = find_state(c, si, json_string_value(start));
    if (s == ASL_NONE) {
        bad_target(c, sc->machine, "StartAt", si, sc->what);
        return;
    }
    sc->start = s;
    mark_reachable(c, s);
    /* a misspelt target usually leaves its intended state unreachable: report it once */
    bool terminal = false, dangling = false;
    for (size_t i = sc->first; i < sc->first + sc->n; i++)
        dangling |= c->states[i].reachable && c->states[i].dangling;
    for (size_t i = sc->first; i < sc->first + sc->n; i++) {
        const struct asl_state *st = &c->states[i];
        terminal |= st->reachable && (st->terminal || st->dangling);
        if (st->reachable || dangling || !json_is_object(st->obj))
            continue; /* a non-object state was reported as such */
        asl_diag(c, D_ASL_UNREACHABLE, yload_key_loc(c->doc, st->parent, st->name),
                 "state '%s' cannot be reached from StartAt", st->name);
        asl_note(c, "no Next, Default, Choices or Catch transition of %s leads to it",
                 sc->what);
    }
    if (!terminal) {
        asl_diag(c, D_ASL_NO_TERMINAL, yload_key_loc(c->doc, sc->machine, "States"),
                 "%s has no reachable terminal state", sc->what);
        asl_note(c, "end a path with \"End\": true, a Succeed state or a Fail state");
    }
}

/* ---- entry point ------------------------------------------------------------------- */

static void ctx_release(struct asl_ctx *c)
{
    for (size_t i = 0; i < c->nscopes; i++)
        free(c->scopes[i].what);
    for (size_t i = 0; i < c->nstates; i++) {
        free(c->states[i].edges);
        free(c->states[i].vars_in);
    }
    for (size_t i = 0; i < c->nuses; i++)
        free(c->uses[i].name);
    free(c->scopes);
    free(c->states);
    free(c->byscope);
    free(c->uses);
    free(c->guards);
    free(c->warned);
}

int asl_validate(const struct ydoc *doc, const json_t *asl, const struct asl_opts *opts,
                 struct diag_list *dl)
{
    if (!json_is_object(asl))
        return diag_add(dl, D_ASL_NOT_OBJECT, yload_loc(doc, asl),
                        "state machine definition is not an object");
    struct asl_ctx c = {.doc = doc, .opts = opts, .dl = dl, .top = asl, .cur = ASL_NONE};
    const char *ql = json_string_value(json_object_get(asl, "QueryLanguage"));
    c.top_jsonata = ql && !strcmp(ql, "JSONata");
    collect_machine(&c, asl, AK_TOP, ASL_NONE, ASL_NONE, false,
                    xstrdup("the state machine"));
    check_duplicates(&c);
    build_lookup(&c);
    for (size_t i = 0; i < c.nstates; i++)
        check_state(&c, i);
    for (size_t i = 0; i < c.nscopes; i++)
        check_scope_graph(&c, i);
    asl_check_variables(&c);
    asl_lint_definition(&c);
    ctx_release(&c);
    return c.rc;
}
