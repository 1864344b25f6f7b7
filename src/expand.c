/*
 * Definition expansion (see expand.h): `${...}` substitution, and the walk that finds
 * compile-time extension fields on states and hands them to their expanders (the
 * table below; the expanders live in ext_ecs.c and ext_dates.c), plus the helpers
 * they share (ext.h).
 */
#include "expand.h"

#include "base/strbuf.h"
#include "base/suggest.h"
#include "base/xalloc.h"
#include "ext.h"

#include <stdint.h>
#include <string.h>

struct subst_ctx {
    const struct catalog *cat;
    const struct workflow *wf;
    struct ydoc *def;
    struct diag_list *dl;
    int rc;
};

/* Returns a borrowed value for a substitution name, or NULL when unknown. */
static json_t *lookup(const struct subst_ctx *sc, const char *name, json_t *scratch)
{
    static const struct {
        const char *name;
        size_t offset;
        bool in_catalog; /* else in the workflow's names */
    } builtins[] = {
        {"aws.region", offsetof(struct catalog, region), true},
        {"aws.account_id", offsetof(struct catalog, account_id), true},
        {"aws.partition", offsetof(struct catalog, partition), true},
        {"project", offsetof(struct catalog, project), true},
        {"env", offsetof(struct catalog, env), true},
        {"workflow.key", offsetof(struct workflow, key), false},
        {"workflow.name", offsetof(struct workflow, names.state_machine), false},
    };
    for (size_t i = 0; i < ARRAY_SIZE(builtins); i++) {
        if (strcmp(name, builtins[i].name))
            continue;
        const char *base =
            builtins[i].in_catalog ? (const char *)sc->cat : (const char *)sc->wf;
        json_string_set(scratch, *(const char *const *)(base + builtins[i].offset));
        return scratch;
    }
    return json_object_get(sc->cat->vars, name);
}

static void text_of(struct strbuf *sb, const json_t *v)
{
    if (json_is_string(v))
        strbuf_adds(sb, json_string_value(v));
    else if (json_is_integer(v))
        strbuf_addf(sb, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        strbuf_addf(sb, "%.15g", json_real_value(v));
    else
        strbuf_adds(sb, json_is_true(v) ? "true" : "false");
}

/*
 * Expands one string; returns a new value when it changed, NULL when it did not (or
 * after an error, which sets sc->rc).
 */
static json_t *expand_string(struct subst_ctx *sc, const json_t *parent, const char *key,
                             size_t index, const char *s)
{
    if (!strchr(s, '$'))
        return NULL;
    struct strbuf out = STRBUF_INIT;
    json_t *scratch = json_string("");
    json_t *whole = NULL;
    bool changed = false;
    for (const char *p = s; *p;) {
        if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
            strbuf_adds(&out, "${");
            p += 3;
            changed = true;
            continue;
        }
        if (p[0] != '$' || p[1] != '{') {
            strbuf_addch(&out, *p++);
            continue;
        }
        const char *end = strchr(p + 2, '}');
        struct loc loc =
            key ? yload_member_subloc(sc->def, parent, key, (size_t)(p - s), 2)
                : yload_index_loc(sc->def, parent, index);
        if (!end) {
            sc->rc =
                diag_add(sc->dl, D_CAT_SUBST_SYNTAX, loc, "'${' is not closed by '}'");
            diag_note(sc->dl, "write '$${' for a literal '${'");
            goto fail;
        }
        char *name = xstrndup(p + 2, (size_t)(end - p - 2));
        json_t *v = lookup(sc, name, scratch);
        if (!v) {
            sc->rc = diag_add(sc->dl, D_CAT_SUBST_UNKNOWN, loc,
                              "unknown substitution '${%s}'", name);
            diag_note(sc->dl,
                      "known: aws.region, aws.account_id, aws.partition, project, env, "
                      "workflow.key, workflow.name, and the catalog's vars");
            free(name);
            goto fail;
        }
        free(name);
        if (p == s && end[1] == '\0' && !json_is_string(v))
            whole = json_deep_copy(v);
        text_of(&out, v);
        p = end + 1;
        changed = true;
    }
    json_decref(scratch);
    if (whole) {
        strbuf_release(&out);
        return whole;
    }
    if (!changed) {
        strbuf_release(&out);
        return NULL;
    }
    json_t *r = json_string(out.buf);
    strbuf_release(&out);
    return r;
fail:
    json_decref(scratch);
    strbuf_release(&out);
    return NULL;
}

static void walk(struct subst_ctx *sc, json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *m;
        json_object_foreach(v, k, m)
        {
            if (json_is_string(m)) {
                json_t *n = expand_string(sc, v, k, 0, json_string_value(m));
                if (n)
                    json_object_set_new(v, k, n);
            } else {
                walk(sc, m);
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
        {
            if (json_is_string(m)) {
                json_t *n = expand_string(sc, v, NULL, i, json_string_value(m));
                if (n)
                    json_array_set_new(v, i, n);
            } else {
                walk(sc, m);
            }
        }
    }
}

int expand_substitutions(const struct catalog *cat, const struct workflow *wf,
                         struct ydoc *def, struct diag_list *dl)
{
    struct subst_ctx sc = {cat, wf, def, dl, 0};
    walk(&sc, def->root);
    return sc.rc;
}

/* ---- extension table and walk --------------------------------------------------- */

/* Every compile-time extension: the state field that triggers it, and where it goes. */
static const struct ext_kind {
    const char *field;      /* key on a state */
    const char *state_type; /* the only state Type that may carry it */
    int (*expand)(struct ext_ctx *x, struct ext_site *s);
} ext_kinds[] = {
    {"Ecs", "Task", ext_ecs_expand},
    {"Dates", "Pass", ext_dates_expand},
};

static int walk_states(struct ext_ctx *x, json_t *machine);

/* Expands the extension fields of one state; returns 0 or -1. */
static int expand_state(struct ext_ctx *x, json_t *states, const char *name, json_t *st)
{
    int rc = 0;
    const char *type = json_string_value(json_object_get(st, "Type"));
    for (size_t i = 0; i < ARRAY_SIZE(ext_kinds); i++) {
        const struct ext_kind *k = &ext_kinds[i];
        json_t *v = json_object_get(st, k->field);
        if (!v)
            continue;
        if (!type || strcmp(type, k->state_type)) {
            rc = diag_add(x->dl, D_EXT_WRONG_STATE, yload_key_loc(x->def, st, k->field),
                          "'%s' is only allowed on %s states, and '%s' is %s %s state",
                          k->field, k->state_type, name, type ? "a" : "not a",
                          type ? type : "typed");
            diag_note(x->dl,
                      "see docs/definitions.md for the extensions and their states");
            continue;
        }
        const char *ql = json_string_value(json_object_get(st, "QueryLanguage"));
        struct ext_site site = {
            .states = states,
            .name = name,
            .state = st,
            .field = k->field,
            .value = v,
            .jsonata = ql ? !strcmp(ql, "JSONata") : x->machine_jsonata,
        };
        json_array_append(x->graveyard, v);
        if (k->expand(x, &site))
            rc = -1;
    }
    return rc;
}

/* Nested machines of a state: Parallel branches, Map processors. */
static int walk_nested(struct ext_ctx *x, json_t *st)
{
    int rc = 0;
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(st, "Branches"), i, b)
    {
        if (walk_states(x, b))
            rc = -1;
    }
    static const char *const procs[] = {"ItemProcessor", "Iterator"};
    for (size_t p = 0; p < ARRAY_SIZE(procs); p++)
        if (walk_states(x, json_object_get(st, procs[p])))
            rc = -1;
    return rc;
}

/*
 * Expands every state of one machine (top level, branch or processor). Expanders may
 * add states after the one they expand, so the walk runs over a copy of the names.
 */
static int walk_states(struct ext_ctx *x, json_t *machine)
{
    json_t *states = json_object_get(machine, "States");
    if (!json_is_object(states))
        return 0;
    size_t n = json_object_size(states), k = 0;
    char **names = xcalloc(n + 1, sizeof(*names));
    const char *key;
    json_t *st;
    json_object_foreach(states, key, st) names[k++] = xstrdup(key);
    int rc = 0;
    for (size_t i = 0; i < k; i++) {
        st = json_object_get(states, names[i]);
        if (json_is_object(st) &&
            (expand_state(x, states, names[i], st) || walk_nested(x, st)))
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

/* The workflow's TimeoutSeconds (catalog `timeout`) when the definition has none. */
static void add_machine_timeout(struct ext_ctx *x)
{
    json_t *root = x->def->root;
    if (!x->wf || x->wf->timeout <= 0 || json_object_get(root, "TimeoutSeconds"))
        return;
    json_t *f = json_object();
    json_object_set_new(f, "TimeoutSeconds", json_integer(x->wf->timeout));
    expand_splice(root, "States", EXPAND_BEFORE, f);
}

int expand_extensions(const struct catalog *cat, const struct workflow *wf,
                      struct ydoc *def, struct diag_list *dl)
{
    if (!json_is_object(def->root))
        return 0; /* the validator reports it */
    const char *ql = json_string_value(json_object_get(def->root, "QueryLanguage"));
    struct ext_ctx x = {
        .cat = cat,
        .wf = wf,
        .def = def,
        .dl = dl,
        .machine_jsonata = ql && !strcmp(ql, "JSONata"),
        .graveyard = json_array(),
    };
    int rc = walk_states(&x, def->root);
    add_machine_timeout(&x);
    json_decref(x.graveyard);
    return rc;
}

/* ---- helpers shared by the expanders (ext.h) --------------------------------------- */

void expand_splice(json_t *obj, const char *anchor, enum expand_splice how,
                   json_t *fields)
{
    json_t *old = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) json_object_set(old, k, v);
    json_object_clear(obj);
    bool placed = false;
    json_object_foreach(old, k, v)
    {
        bool at = !strcmp(k, anchor);
        if (at && how == EXPAND_AFTER)
            json_object_set(obj, k, v);
        if (at) {
            json_object_update(obj, fields);
            placed = true;
        }
        if (at && how != EXPAND_BEFORE)
            continue;
        if (!json_object_get(fields, k))
            json_object_set(obj, k, v);
    }
    if (!placed)
        json_object_update(obj, fields);
    json_decref(old);
    json_decref(fields);
}

int expand_check_keys(struct ext_ctx *x, const json_t *obj, const char *what,
                      const char *const *known, const char *const *required,
                      struct loc where)
{
    int rc = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        const char *const *f = known;
        while (*f && strcmp(*f, k))
            f++;
        if (*f)
            continue;
        rc = diag_add(x->dl, D_EXT_UNKNOWN_FIELD, yload_key_loc(x->def, obj, k),
                      "unknown field '%s' in %s", k, what);
        size_t nknown = 0;
        while (known[nknown])
            nknown++;
        const char *near = suggest_closest(k, known, nknown);
        if (near)
            diag_note(x->dl, "did you mean '%s'?", near);
    }
    for (const char *const *r = required; r && *r; r++) {
        if (json_object_get(obj, *r))
            continue;
        rc = diag_add(x->dl, D_EXT_MISSING_FIELD, where, "%s has no '%s'", what, *r);
    }
    return rc;
}

bool expand_has_state(const json_t *states, const char *name)
{
    return json_object_get(states, name) != NULL;
}

void expand_jsonata_quote(struct strbuf *sb, const char *s)
{
    strbuf_addch(sb, '\'');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\'' || *p == '\\') {
            strbuf_addch(sb, '\\');
            strbuf_addch(sb, (char)*p);
        } else if (*p == '\n') {
            strbuf_adds(sb, "\\n");
        } else if (*p == '\t') {
            strbuf_adds(sb, "\\t");
        } else if (*p < 0x20 || *p == 0x7f) {
            strbuf_addf(sb, "\\u%04x", *p);
        } else {
            strbuf_addch(sb, (char)*p);
        }
    }
    strbuf_addch(sb, '\'');
}
