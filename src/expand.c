/* `${...}` substitution in definitions; see expand.h. */
#include "expand.h"

#include "base/strbuf.h"
#include "base/xalloc.h"

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
        const char *base = builtins[i].in_catalog ? (const char *)sc->cat : (const char *)sc->wf;
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
        struct loc loc = key ? yload_member_subloc(sc->def, parent, key, (size_t)(p - s), 2)
                             : yload_index_loc(sc->def, parent, index);
        if (!end) {
            sc->rc = diag_add(sc->dl, D_CAT_SUBST_SYNTAX, loc, "'${' is not closed by '}'");
            diag_note(sc->dl, "write '$${' for a literal '${'");
            goto fail;
        }
        char *name = xstrndup(p + 2, (size_t)(end - p - 2));
        json_t *v = lookup(sc, name, scratch);
        if (!v) {
            sc->rc = diag_add(sc->dl, D_CAT_SUBST_UNKNOWN, loc, "unknown substitution '${%s}'",
                              name);
            diag_note(sc->dl, "known: aws.region, aws.account_id, aws.partition, project, env, "
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
        json_object_foreach(v, k, m) {
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
        json_array_foreach(v, i, m) {
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

int expand_extensions(const struct catalog *cat, const struct workflow *wf, struct ydoc *def,
                      struct diag_list *dl)
{
    (void)cat;
    (void)wf;
    (void)def;
    (void)dl;
    return 0; /* no extension is implemented yet */
}
