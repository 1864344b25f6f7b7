/*
 * Parallel and Map: branches and iterations run one after another, deterministically,
 * each in its own variable scope and on its own virtual clock started where AWS would
 * start it (all branches at once; Map items as MaxConcurrency slots free up), so the
 * simulated end time is the latest finish. Results keep Branches/input order.
 */
#include "interp/exec.h"

#include "base/xalloc.h"
#include "emit/jout.h"

#include <stdlib.h>
#include <string.h>

/* A thread for one branch or iteration: outer variables readable, writes stay inside. */
static struct thread sub_thread(struct thread *t, int64_t start)
{
    struct thread s = {t->ex, start, json_copy(t->vars), t->prev};
    return s;
}

static void state_event(struct thread *t, struct visit *v, const char *what, json_t *d)
{
    hist_add_parts(t, v->type->name, what, NULL, NULL, d);
}

/*
 * On the redriven state's first attempt (the first state the redrive enters): the
 * outputs its failed run recorded for the branches or iterations that succeeded, which
 * are not run again. NULL otherwise, and on a retry of that state (it re-runs all).
 */
static json_t **redriven(struct visit *v, json_t *branches, size_t n)
{
    struct exec *ex = v->t->ex;
    if (!ex->o->redrive || ex->redrive_used || ex->base.parent || ex->nstates != 1)
        return NULL;
    ex->redrive_used = true;
    return redrive_kept(ex->o->redrive, v->name, branches, n);
}

/* ---- failure: the first one decides, the others are aborted
 * AWS runs a Parallel's branches and a Map's iterations at the same time; when one fails
 * the state fails with its error and the others still running are aborted. wfgen runs
 * them one after another, so after a failure at time T the ones that would have been
 * running by then (all branches; the iterations with a slot before T) still run, with the
 * execution's deadline lowered to T: those that end by T keep their result (a redrive
 * does not run them again), those that fail record their failure, and those that run
 * out of time are aborted at T (a *StateAborted event for the state they were in; and
 * MapIterationAborted). Branches and iterations that come earlier in order have already
 * finished, even when they would have ended after T on AWS.
 */

struct fanout {
    struct exec *ex;
    bool failed;
    bool stop; /* nothing more runs: the execution timed out, or its history is full */
    struct fail f;    /* the first failure */
    int64_t fail_ms;  /* when it failed */
    long fail_prev;   /* its thread's last event */
    int64_t deadline; /* the execution's deadline and aborting flag before it */
    bool aborting;
};

/* True when f is the abort of a thread still running when its Map/Parallel failed. */
static bool is_abort(const struct exec *ex, const struct fail *f)
{
    return ex->aborting && f->kind == FK_TIMED_OUT;
}

/* Takes a failed thread's failure f (moved); the first one starts the abort. */
static void fanout_fail(struct fanout *fo, struct thread *sub, struct fail *f)
{
    if (fo->failed) {
        fail_release(f);
        return;
    }
    struct exec *ex = fo->ex;
    fo->failed = true;
    fo->fail_ms = sub->now;
    fo->fail_prev = sub->prev;
    fo->stop = f->kind == FK_HISTORY || (f->kind == FK_TIMED_OUT && !ex->aborting);
    fail_move(&fo->f, f);
    if (fo->stop)
        return;
    fo->deadline = ex->deadline;
    fo->aborting = ex->aborting;
    if (fo->fail_ms < ex->deadline)
        ex->deadline = fo->fail_ms;
    ex->aborting = true;
}

/* Ends the abort; fails the visit with the first failure and writes <Type>StateFailed
   on t after the failed thread's last event (not for a timeout, a full history or an
   abort: the enclosing state writes its own event then). Returns -1. */
static int fanout_end(struct fanout *fo, struct visit *v)
{
    struct thread *t = v->t;
    if (!fo->stop) {
        fo->ex->deadline = fo->deadline;
        fo->ex->aborting = fo->aborting;
    }
    t->now = fo->fail_ms;
    t->prev = fo->fail_prev;
    if (!fo->stop && !is_abort(fo->ex, &fo->f))
        state_event(t, v, "StateFailed", NULL);
    fail_release(&v->f);
    fail_move(&v->f, &fo->f);
    return -1;
}

/* Runs a branch or iteration (machine) on sub, one level deeper. Returns exec_machine's
   result, with *open: the Type of the state sub was left in (see exec.h), or NULL. */
static int run_sub(struct thread *sub, json_t *machine, json_t *input, json_t **out,
                   struct fail *f, const char **open)
{
    struct exec *ex = sub->ex;
    int level = ++ex->level;
    if (level < OPEN_LEVELS)
        ex->open[level] = NULL;
    int rc = exec_machine(sub, machine, input, out, f);
    *open = level < OPEN_LEVELS ? ex->open[level] : NULL;
    ex->level--;
    return rc;
}

/* Writes the *StateAborted event of the state (of Type open) an aborted thread was in:
   the types that can be running when time passes have one. */
static void abort_open_state(struct thread *t, const char *open)
{
    static const char *const abortable[] = {"Task", "Wait", "Parallel", "Map"};
    for (size_t i = 0; open && i < ARRAY_SIZE(abortable); i++)
        if (!strcmp(open, abortable[i]))
            hist_add_parts(t, open, "StateAborted", NULL, NULL, NULL);
}

/* ---- Parallel
 * ------------------------------------------------------------------------------ */

int parallel_run(struct visit *v, json_t *input, json_t **result)
{
    struct thread *t = v->t;
    json_t *branches = vfield(v, SF_BRANCHES);
    if (!json_is_array(branches))
        return visit_runtime(v, "The Parallel state has no Branches array");
    size_t n = json_array_size(branches);
    json_t **kept = redriven(v, branches, n);
    state_event(t, v, "StateStarted", NULL);
    long started = t->prev;
    int64_t start = t->now, end = start;
    struct fanout fo = {.ex = t->ex};
    json_t *res = json_array();
    for (size_t i = 0; i < n && !fo.stop; i++) {
        if (kept && kept[i]) { /* redrive: this branch succeeded before */
            json_array_append(res, kept[i]);
            continue;
        }
        struct thread bt = sub_thread(t, start);
        bt.prev = started;
        json_t *out;
        const char *open;
        struct fail f = {0};
        int rc = run_sub(&bt, json_array_get(branches, i), input, &out, &f, &open);
        json_decref(bt.vars);
        if (bt.now > end)
            end = bt.now;
        if (!rc) {
            json_array_append_new(res, out);
            continue;
        }
        if (is_abort(t->ex, &f))
            abort_open_state(&bt, open);
        fanout_fail(&fo, &bt, &f);
    }
    redrive_kept_free(kept, n);
    if (fo.failed) {
        json_decref(res);
        return fanout_end(&fo, v);
    }
    t->now = end;
    t->prev = t->ex->nevents;
    state_event(t, v, "StateSucceeded", NULL);
    *result = res;
    return 0;
}

/* ---- Map
 * ------------------------------------------------------------------------------------ */

int map_max_concurrency(struct visit *v, json_t *eff, long *out)
{
    json_t *lit = vfield(v, SF_MAX_CONCURRENCY);
    json_t *path = vfield(v, SF_MAX_CONCURRENCY_PATH);
    if (v->jsonata && lit) {
        int64_t n;
        if (visit_ja_integer(v, "MaxConcurrency", lit, 0, INT64_MAX, &n))
            return -1;
        *out = n > 1000000 ? 1000000 : (long)n;
        return 0;
    }
    *out = json_is_integer(lit) ? (long)json_integer_value(lit) : 0;
    if (!json_is_string(path))
        return 0;
    json_t *val;
    struct expr_err err = {0};
    if (expr_path(&v->env, "MaxConcurrencyPath", json_string_value(path), eff, &val,
                  &err))
        return visit_expr_fail(v, &err);
    if (json_is_integer(val) && json_integer_value(val) >= 0) {
        *out =
            json_integer_value(val) > 1000000 ? 1000000 : (long)json_integer_value(val);
        json_decref(val);
        return 0;
    }
    char *s = json_is_string(val) ? xstrdup(json_string_value(val)) : jout_compact(val);
    visit_runtime(
        v,
        "The MaxConcurrencyPath field refers to value \"%s\" which is not a valid "
        "integer: %s",
        s, json_string_value(path));
    free(s);
    json_decref(val);
    return -1;
}

/* JSONata: Items (a literal array or an expression), else the raw input. */
static int ja_items(struct visit *v, json_t **items)
{
    json_t *f = vfield(v, SF_ITEMS);
    if (f)
        return visit_jsonata(v, "Items", f, EXPR_WANT_ARRAY, items);
    *items = json_incref(v->input);
    if (json_is_array(*items))
        return 0;
    char *s = jout_compact(*items);
    json_decref(*items);
    *items = NULL;
    visit_query_fail(v, "Items", "Map state input must be an array but was: %s", s);
    free(s);
    return -1;
}

/*
 * The items to iterate: ItemsPath (default $) applied to the effective input; in a
 * JSONata state, Items or the raw input.
 */
int map_items(struct visit *v, json_t *eff, json_t **items)
{
    json_t *p = vfield(v, SF_ITEMS_PATH);
    struct expr_err err = {0};
    if (v->jsonata) {
        if (ja_items(v, items))
            return -1;
        if (json_is_array(*items))
            return 0;
        char *s = jout_compact(*items);
        json_decref(*items);
        *items = NULL;
        visit_runtime(v, "The field 'Items' must be an array, but was: %s", s);
        free(s);
        return -1;
    }
    if (json_is_string(p)) {
        if (expr_path(&v->env, "ItemsPath", json_string_value(p), eff, items, &err))
            return visit_expr_fail(v, &err);
    } else {
        *items = json_incref(eff);
    }
    if (json_is_array(*items))
        return 0;
    char *s = jout_compact(*items);
    json_decref(*items);
    *items = NULL;
    visit_runtime(v, "Map state input must be an array but was: %s", s);
    free(s);
    return -1;
}

/* The input of iteration i: ItemSelector (or legacy Parameters) or the item itself. */
int map_item_input(struct visit *v, json_t *eff, size_t i, json_t *item, json_t **out)
{
    enum stmpl which = ST_ITEM_SELECTOR;
    json_t *sel = vfield(v, SF_ITEM_SELECTOR);
    if (!sel) {
        which = ST_PARAMETERS; /* the legacy name */
        sel = vfield(v, SF_PARAMETERS);
    }
    if (!sel) {
        *out = json_incref(item);
        return 0;
    }
    json_t *index = json_integer((json_int_t)i);
    json_t *ctx = visit_context_with_item(v, index, item);
    json_decref(index);
    struct expr_env env = v->env;
    env.context = ctx;
    struct expr_err err = {0};
    int rc;
    if (v->jsonata) {
        /* $states.context gains Map.Item for this item only */
        json_t *states = json_copy(v->states);
        json_object_set(states, "context", ctx);
        env.states = states;
        env.now_ms = v->t->now;
        rc = expr_jsonata(&env, "ItemSelector", sel, EXPR_WANT_ANY, out, &err);
        json_decref(states);
    } else {
        rc = expr_tmpl_eval(&env, plan_tmpl(v, which), eff, out, &err);
    }
    json_decref(ctx);
    if (rc)
        return visit_expr_fail(v, &err);
    return 0;
}

static json_t *iter_details(struct visit *v, size_t i)
{
    if (!v->t->ex->events)
        return NULL;
    json_t *d = json_object();
    json_object_set_new(d, "name", json_string(v->name));
    json_object_set_new(d, "index", json_integer((json_int_t)i));
    return d;
}

static void iter_event(struct thread *t, struct visit *v, const char *what, size_t i)
{
    /* the details key is "mapIteration<what>EventDetails" */
    char key[48];
    const char *k = "";
    if (t->ex->events) {
        snprintf(key, sizeof(key), "mapIteration%s", what);
        k = key;
    }
    hist_add_parts(t, "MapIteration", what, k, "EventDetails", iter_details(v, i));
}

/* Picks a slot that frees up first. The slots are kept as a binary min-heap on their
 * free times, except that the caller may have changed the root (the slot it was last
 * given) since the previous call: sifting the root down restores the heap, and the
 * root is then the answer. Only the free times matter, never which slot runs an
 * item, so each pick costs O(log n) rather than a scan of up to 10,000 slots. */
size_t map_first_free(int64_t *slots, size_t n)
{
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && slots[l] < slots[m])
            m = l;
        if (r < n && slots[r] < slots[m])
            m = r;
        if (m == i)
            return 0;
        int64_t tmp = slots[i];
        slots[i] = slots[m];
        slots[m] = tmp;
        i = m;
    }
}

struct iter_state {
    json_t *processor;
    json_t *eff;
    long started;
    int64_t *slots;
    size_t nslots;
    int64_t end;
    struct fanout fo;
};

/* Whether iteration i starts at all: after a failure, only those with a slot before it
   (the first batch starts with the Map, so at the latest when it fails). */
static bool iteration_starts(struct iter_state *is, size_t i)
{
    if (!is->fo.failed)
        return true;
    if (is->fo.stop)
        return false;
    map_first_free(is->slots, is->nslots);
    return i < is->nslots || is->slots[0] < is->fo.fail_ms;
}

/* Runs iteration i. Returns 0 with *out, -1 when it failed (the failure goes to
   is->fo), or -2 when its input could not be made (v->f filled: no iteration). */
static int run_iteration(struct visit *v, struct iter_state *is, size_t i, json_t *item,
                         json_t **out)
{
    struct thread *t = v->t;
    size_t slot = map_first_free(is->slots, is->nslots);
    json_t *in;
    if (map_item_input(v, is->eff, i, item, &in))
        return -2;
    struct fail f = {0};
    struct thread it = sub_thread(t, is->slots[slot]);
    it.prev = is->started;
    iter_event(&it, v, "Started", i);
    const char *open;
    int rc = run_sub(&it, is->processor, in, out, &f, &open);
    json_decref(in);
    json_decref(it.vars);
    if (it.now > is->end)
        is->end = it.now;
    is->slots[slot] = it.now;
    if (!rc) {
        iter_event(&it, v, "Succeeded", i);
        return 0;
    }
    if (is_abort(t->ex, &f)) {
        abort_open_state(&it, open);
        iter_event(&it, v, "Aborted", i);
    } else if (f.kind != FK_TIMED_OUT && f.kind != FK_HISTORY) {
        iter_event(&it, v, "Failed", i);
    }
    fanout_fail(&is->fo, &it, &f);
    return -1;
}

int map_run(struct visit *v, json_t *eff, json_t **result)
{
    struct thread *t = v->t;
    json_t *processor = vfield(v, SF_ITEM_PROCESSOR);
    if (!processor)
        processor = vfield(v, SF_ITERATOR);
    if (!json_is_object(processor))
        return visit_runtime(v, "The Map state has no ItemProcessor");
    const char *mode = json_string_value(
        json_object_get(json_object_get(processor, "ProcessorConfig"), "Mode"));
    if (mode && !strcmp(mode, "DISTRIBUTED"))
        return dmap_run(v, eff, processor, result);
    json_t *items;
    long maxc;
    if (map_items(v, eff, &items))
        return -1;
    if (map_max_concurrency(v, eff, &maxc)) {
        json_decref(items);
        return -1;
    }
    size_t n = json_array_size(items);
    json_t **kept = redriven(v, NULL, n);
    json_t *d = t->ex->events ? json_pack("{s:I}", "length", (json_int_t)n) : NULL;
    hist_add(t, "MapStateStarted", "mapStateStartedEventDetails", d);
    size_t nslots = maxc > 0 && maxc < INLINE_MAP_SLOTS ? (size_t)maxc : INLINE_MAP_SLOTS;
    struct iter_state is = {
        processor, eff,    t->prev,      xcalloc(nslots, sizeof(int64_t)),
        nslots,    t->now, {.ex = t->ex}};
    for (size_t j = 0; j < nslots; j++)
        is.slots[j] = t->now;
    json_t *res = json_array();
    int rc = 0;
    for (size_t i = 0, run = 0; i < n && rc != -2; i++) {
        json_t *out;
        if (kept && kept[i]) { /* redrive: this iteration succeeded before */
            json_array_append(res, kept[i]);
            continue;
        }
        if (!iteration_starts(&is, run))
            break;
        run++;
        rc = run_iteration(v, &is, i, json_array_get(items, i), &out);
        if (!rc)
            json_array_append_new(res, out);
    }
    free(is.slots);
    json_decref(items);
    redrive_kept_free(kept, n);
    if (rc == -2 && !is.fo.failed) { /* an ItemSelector failed: the Map fails now */
        json_decref(res);
        return -1;
    }
    if (is.fo.failed) {
        json_decref(res);
        return fanout_end(&is.fo, v);
    }
    t->now = is.end;
    t->prev = t->ex->nevents;
    hist_add(t, "MapStateSucceeded", NULL, NULL);
    *result = res;
    return 0;
}
