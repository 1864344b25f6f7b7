/*
 * The `Ecs:` extension on Task states (SPEC section 3): checks the user's fields and
 * replaces them with a plain ecs:runTask.sync (or .waitForTaskToken) Task, plus, when
 * the step routes failures by exit code, a JSONata Choice (and Fail) state after it.
 * Also the parsing and rendering of {path} / {% expr %} references in Command and
 * Environment, and the task-role policy of callback steps.
 */
#include "ext.h"

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/jout.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ==== references: {path} and {% expr %} inside Command and Environment ============ */

static void tmpl_push(struct ext_tmpl *t, enum ext_part_kind kind, const char *s,
                      size_t n, size_t off)
{
    VEC_GROW(t->v, t->n + 1, t->alloc);
    t->v[t->n++] = (struct ext_part){kind, xstrndup(s, n), off};
}

static int ref_fail(struct ext_ref_err *err, size_t off, const char *msg)
{
    err->off = off;
    snprintf(err->msg, sizeof(err->msg), "%s", msg);
    return -1;
}

/* ref_fail for ref_path_len, whose failure value is a length of 0. */
static size_t path_fail(struct ext_ref_err *err, size_t off, const char *msg)
{
    ref_fail(err, off, msg);
    return 0;
}

static bool is_ident_start(int c)
{
    return isalpha(c) || c == '_';
}

static bool is_ident(int c)
{
    return isalnum(c) || c == '_';
}

/* Bytes allowed in a dot-notation member name: ASCII word characters, '-', UTF-8. */
static bool is_name_byte(int c)
{
    return is_ident(c) || c == '-' || (unsigned char)c >= 0x80;
}

/*
 * Length of the reference path at s (which starts with '$'): $, $$ or $variable, then
 * .name, [n] and ['name'] segments. Returns 0 with *err when malformed; the caller
 * checks that the path ends where the reference does.
 */
static size_t ref_path_len(const char *s, size_t base, struct ext_ref_err *err)
{
    size_t i = 1;
    if (s[i] == '$')
        i++;
    else if (is_ident_start((unsigned char)s[i]))
        while (is_ident((unsigned char)s[i]))
            i++;
    for (;;) {
        if (s[i] == '.') {
            size_t start = ++i;
            while (is_name_byte((unsigned char)s[i]))
                i++;
            if (i == start)
                return path_fail(err, base + i, "expected a member name after '.'");
        } else if (s[i] == '[' && isdigit((unsigned char)s[i + 1])) {
            size_t start = ++i;
            while (isdigit((unsigned char)s[i]))
                i++;
            if (i - start > 9)
                return path_fail(err, base + start, "index too large");
            if (s[i] != ']')
                return path_fail(err, base + i, "expected ']' after the index");
            i++;
        } else if (s[i] == '[' && s[i + 1] == '\'') {
            size_t start = i += 2;
            while (s[i] && !strchr("'`\\", s[i]) && (unsigned char)s[i] >= 0x20)
                i++;
            if (s[i] != '\'' || s[i + 1] != ']' || i == start)
                return path_fail(err, base + i,
                                 "expected a quoted name and ']' (['name'], without "
                                 "quotes, backquotes or backslashes)");
            i += 2;
        } else {
            return i;
        }
    }
}

int ext_tmpl_parse(const char *s, struct ext_tmpl *out, struct ext_ref_err *err)
{
    memset(out, 0, sizeof(*out));
    struct strbuf lit = STRBUF_INIT;
    size_t lit_off = 0;
    size_t i = 0;
    while (s[i]) {
        bool escape =
            s[i] == '{' && s[i + 1] == '{' && (s[i + 2] == '$' || s[i + 2] == '%');
        bool ref = s[i] == '{' && (s[i + 1] == '$' || s[i + 1] == '%');
        if (escape) {
            if (!lit.len)
                lit_off = i;
            strbuf_addch(&lit, '{');
            i += 2;
            continue;
        }
        if (!ref) {
            if (!lit.len)
                lit_off = i;
            strbuf_addch(&lit, s[i++]);
            continue;
        }
        if (lit.len)
            tmpl_push(out, EXT_LIT, lit.buf, lit.len, lit_off);
        strbuf_reset(&lit);
        if (s[i + 1] == '%') {
            const char *end = strstr(s + i + 2, "%}");
            if (!end) {
                ref_fail(err, i, "'{%' is not closed by '%}'");
                goto fail;
            }
            const char *a = s + i + 2, *b = end;
            while (a < b && isspace((unsigned char)*a))
                a++;
            while (b > a && isspace((unsigned char)b[-1]))
                b--;
            if (a == b) {
                ref_fail(err, i, "empty {% %} expression");
                goto fail;
            }
            tmpl_push(out, EXT_JSONATA, a, (size_t)(b - a), i);
            i = (size_t)(end - s) + 2;
            continue;
        }
        size_t n = ref_path_len(s + i + 1, i + 1, err);
        if (!n)
            goto fail;
        if (s[i + 1 + n] != '}') {
            ref_fail(err, i + 1 + n,
                     s[i + 1 + n] ? "unsupported path syntax: references take $.a.b, "
                                    "$.a[0], $['a b'], $$.Context.Path or $variable"
                                  : "'{' is not closed by '}'");
            goto fail;
        }
        tmpl_push(out, EXT_PATH, s + i + 1, n, i);
        i += n + 2;
    }
    if (lit.len)
        tmpl_push(out, EXT_LIT, lit.buf, lit.len, lit_off);
    strbuf_release(&lit);
    return 0;
fail:
    strbuf_release(&lit);
    ext_tmpl_release(out);
    return -1;
}

void ext_tmpl_release(struct ext_tmpl *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].text);
    free(t->v);
    memset(t, 0, sizeof(*t));
}

bool ext_tmpl_has_ref(const struct ext_tmpl *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].kind != EXT_LIT)
            return true;
    return false;
}

/* Appends `s` with \ before each of ' { } \ (intrinsic string literal escapes). */
static void intrinsic_escape(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        if (strchr("'{}\\", *s))
            strbuf_addch(sb, '\\');
        strbuf_addch(sb, *s);
    }
}

void ext_intrinsic_quote(struct strbuf *sb, const char *s)
{
    strbuf_addch(sb, '\'');
    intrinsic_escape(sb, s);
    strbuf_addch(sb, '\'');
}

void ext_tmpl_intrinsic(struct strbuf *sb, const struct ext_tmpl *t)
{
    if (t->n == 0) {
        strbuf_adds(sb, "''");
        return;
    }
    if (t->n == 1) {
        if (t->v[0].kind == EXT_LIT)
            ext_intrinsic_quote(sb, t->v[0].text);
        else
            strbuf_adds(sb, t->v[0].text);
        return;
    }
    strbuf_adds(sb, "States.Format('");
    for (size_t i = 0; i < t->n; i++) {
        if (t->v[i].kind == EXT_LIT)
            intrinsic_escape(sb, t->v[i].text);
        else
            strbuf_adds(sb, "{}");
    }
    strbuf_addch(sb, '\'');
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].kind != EXT_LIT)
            strbuf_addf(sb, ", %s", t->v[i].text);
    strbuf_addch(sb, ')');
}

/* JSONata words that cannot follow a '.' unquoted. */
static bool jsonata_plain_name(const char *s, size_t n)
{
    static const char *const reserved[] = {"and",   "or",   "in",      "true",
                                           "false", "null", "function"};
    if (!n || !is_ident_start((unsigned char)s[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!is_ident((unsigned char)s[i]))
            return false;
    for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
        if (strlen(reserved[i]) == n && !strncmp(reserved[i], s, n))
            return false;
    return true;
}

static void jsonata_member(struct strbuf *sb, const char *s, size_t n)
{
    strbuf_addch(sb, '.');
    if (jsonata_plain_name(s, n)) {
        strbuf_add(sb, s, n);
    } else {
        strbuf_addch(sb, '`');
        strbuf_add(sb, s, n);
        strbuf_addch(sb, '`');
    }
}

void ext_path_jsonata(struct strbuf *sb, const char *p)
{
    size_t i = 1;
    if (p[1] == '$') {
        strbuf_adds(sb, "$states.context");
        i = 2;
    } else if (is_ident_start((unsigned char)p[1])) {
        while (is_ident((unsigned char)p[i]))
            i++;
        strbuf_add(sb, p, i);
    } else {
        strbuf_adds(sb, "$states.input");
    }
    while (p[i]) {
        if (p[i] == '.') {
            size_t start = ++i;
            while (is_name_byte((unsigned char)p[i]))
                i++;
            jsonata_member(sb, p + start, i - start);
        } else if (p[i + 1] == '\'') {
            size_t start = i + 2;
            const char *q = strchr(p + start, '\'');
            size_t len = (size_t)(q - p) - start;
            jsonata_member(sb, p + start, len);
            i = start + len + 2;
        } else {
            const char *close = strchr(p + i, ']');
            strbuf_add(sb, p + i, (size_t)(close - p) - i + 1);
            i = (size_t)(close - p) + 1;
        }
    }
}

void ext_tmpl_jsonata(struct strbuf *sb, const struct ext_tmpl *t)
{
    if (t->n == 0)
        strbuf_adds(sb, "''");
    for (size_t i = 0; i < t->n; i++) {
        if (i)
            strbuf_adds(sb, " & ");
        const struct ext_part *p = &t->v[i];
        if (p->kind == EXT_LIT) {
            expand_jsonata_quote(sb, p->text);
        } else if (p->kind == EXT_PATH) {
            ext_path_jsonata(sb, p->text);
        } else {
            strbuf_addch(sb, '(');
            strbuf_adds(sb, p->text);
            strbuf_addch(sb, ')');
        }
    }
}

char *ext_scalar_text(const json_t *v)
{
    if (json_is_string(v))
        return xstrdup(json_string_value(v));
    return jout_compact(v);
}

/* ==== the Ecs step ================================================================ */

#define ECS_ERROR_KEY      "ecs_error"
#define ECS_STATE_NAME_MAX 80
#define ECS_DEFAULT_RERUNS 3

static const char *const ecs_fields[] = {
    "TaskDefinition",
    "Command",
    "Environment",
    "Cpu",
    "Memory",
    "Container",
    "Tags",
    "Callback",
    "Result",
    "DefaultRetry",
    "RetryStartFailures",
    "RetryOnExitCodes",
    "OnExitCode",
    "MaxAttempts",
    NULL,
};
static const char *const ecs_required[] = {"TaskDefinition", NULL};

/* State fields the extension writes itself. */
static const char *const ecs_owned[] = {"Resource", "Parameters", "Arguments"};

/* One Ecs step being compiled. */
struct ecs {
    struct ext_ctx *x;
    struct ext_site *s;
    json_t *e; /* the Ecs mapping (borrowed) */
    int rc;
    bool callback, full, default_retry, start_retry;
    const char *taskdef; /* as written */
    const char *family;  /* after the catalog's short names */
    const char *container;
    const json_t *exit_retry; /* borrowed array of exit codes, or NULL */
    const json_t *on_exit;    /* borrowed object "code" -> state, or NULL */
    long reruns;
    char *router, *fail, *var; /* generated names (router: NULL when none) */
};

static struct loc member_loc(struct ecs *c, const json_t *obj, const char *key)
{
    return yload_member_loc(c->x->def, obj, key);
}

static void bad_value(struct ecs *c, const json_t *obj, const char *key, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

/* Reports a bad value of `key` in `obj` (D_EXT_FIELD_VALUE at the value). */
static void bad_value(struct ecs *c, const json_t *obj, const char *key, const char *fmt,
                      ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    c->rc = diag_add(c->x->dl, D_EXT_FIELD_VALUE, member_loc(c, obj, key), "%s", sb.buf);
    strbuf_release(&sb);
}

static bool get_bool(struct ecs *c, const char *key, bool dflt)
{
    const json_t *v = json_object_get(c->e, key);
    if (!v)
        return dflt;
    if (json_is_boolean(v))
        return json_is_true(v);
    bad_value(c, c->e, key, "Ecs '%s' must be true or false", key);
    return dflt;
}

static const char *get_string(struct ecs *c, const char *key)
{
    const json_t *v = json_object_get(c->e, key);
    if (!v)
        return NULL;
    if (json_is_string(v) && *json_string_value(v))
        return json_string_value(v);
    bad_value(c, c->e, key, "Ecs '%s' must be a non-empty string", key);
    return NULL;
}

/* True for scalars Command and Environment accept (containers are refused). */
static bool is_scalar(const json_t *v)
{
    return !json_is_object(v) && !json_is_array(v);
}

static bool family_ok(const char *s)
{
    size_t n = strcspn(s, ":");
    if (n == 0 || n > 255)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_ident((unsigned char)s[i]) && s[i] != '-')
            return false;
    if (!s[n])
        return true;
    for (const char *p = s + n + 1; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return s[n + 1] != '\0';
}

/* TaskDefinition: a catalog short name, a family[:revision], or an ARN. */
static void check_taskdef(struct ecs *c)
{
    c->taskdef = get_string(c, "TaskDefinition");
    if (!c->taskdef)
        return;
    const json_t *map = c->x->wf ? c->x->wf->ecs.task_definitions : NULL;
    const char *mapped = json_string_value(json_object_get(map, c->taskdef));
    c->family = mapped ? mapped : c->taskdef;
    if (!strncmp(c->family, "arn:", 4) || family_ok(c->family))
        return;
    struct loc loc = member_loc(c, c->e, "TaskDefinition");
    if (mapped)
        c->rc =
            diag_add(c->x->dl, D_EXT_ECS_TASKDEF, loc,
                     "catalog maps '%s' to '%s', which is not a task definition family",
                     c->taskdef, mapped);
    else
        c->rc = diag_add(c->x->dl, D_EXT_ECS_TASKDEF, loc,
                         "'%s' is not a task definition family", c->taskdef);
    diag_note(c->x->dl, "a family has 1-255 letters, digits, '-' and '_'; names listed "
                        "in the catalog's ecs.task_definitions are mapped to families");
}

/* The retry and routing fields; fills exit_retry, on_exit, reruns, start_retry. */
static void check_failure_fields(struct ecs *c)
{
    c->default_retry = get_bool(c, "DefaultRetry", true);
    const json_t *codes = json_object_get(c->e, "RetryOnExitCodes");
    if (codes) {
        size_t i;
        const json_t *v;
        bool ok = json_is_array(codes) && json_array_size(codes) > 0;
        json_array_foreach(codes, i, v) ok = ok && json_is_integer(v) &&
                                             json_integer_value(v) >= 0 &&
                                             json_integer_value(v) <= 255;
        if (ok)
            c->exit_retry = codes;
        else
            bad_value(c, c->e, "RetryOnExitCodes",
                      "Ecs '%s' must be a non-empty list of exit codes (0-255)",
                      "RetryOnExitCodes");
    }
    const json_t *on = json_object_get(c->e, "OnExitCode");
    if (on && !json_is_object(on)) {
        bad_value(c, c->e, "OnExitCode", "Ecs '%s' must map exit codes to state names",
                  "OnExitCode");
    } else if (on) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)on, k, v)
        {
            char *end;
            long code = strtol(k, &end, 10);
            if (!isdigit((unsigned char)*k) || *end || code > 255) {
                c->rc =
                    diag_add(c->x->dl, D_EXT_FIELD_VALUE, yload_key_loc(c->x->def, on, k),
                             "OnExitCode key '%s' is not an exit code (0-255)", k);
            } else if (!json_is_string(v)) {
                bad_value(c, on, k, "OnExitCode '%s' must name a state", k);
            } else if (!expand_has_state(c->s->states, json_string_value(v))) {
                c->rc = diag_add(c->x->dl, D_EXT_ECS_TARGET, member_loc(c, on, k),
                                 "OnExitCode '%s' names no state '%s' in the same scope",
                                 k, json_string_value(v));
                diag_note(c->x->dl, "the target must be a sibling of state '%s'",
                          c->s->name);
            }
        }
        c->on_exit = on;
    }
    const json_t *m = json_object_get(c->e, "MaxAttempts");
    c->reruns = ECS_DEFAULT_RERUNS;
    if (m && json_is_integer(m) && json_integer_value(m) >= 1 &&
        json_integer_value(m) <= 100)
        c->reruns = (long)json_integer_value(m);
    else if (m)
        bad_value(c, c->e, "MaxAttempts", "Ecs '%s' must be an integer from 1 to 100",
                  "MaxAttempts");
    bool routed = c->exit_retry || c->on_exit;
    c->start_retry = get_bool(c, "RetryStartFailures", routed);
}

/* Cross-field rules: Result, Callback versus exit codes, owned state fields. */
static void check_combinations(struct ecs *c)
{
    const char *result = get_string(c, "Result");
    if (result && strcmp(result, "full") && strcmp(result, "summary"))
        bad_value(c, c->e, "Result", "Ecs 'Result' must be 'summary' or 'full', not '%s'",
                  result);
    c->full = result && !strcmp(result, "full");
    c->callback = get_bool(c, "Callback", false);
    static const char *const exit_fields[] = {"RetryOnExitCodes", "OnExitCode",
                                              "RetryStartFailures", "MaxAttempts"};
    for (size_t i = 0; c->callback && i < ARRAY_SIZE(exit_fields); i++) {
        if (!json_object_get(c->e, exit_fields[i]))
            continue;
        c->rc = diag_add(c->x->dl, D_EXT_FIELD_CONFLICT,
                         yload_key_loc(c->x->def, c->e, exit_fields[i]),
                         "'%s' cannot be used on a callback step", exit_fields[i]);
        diag_note(c->x->dl, "a callback step ends when the container sends its token, so "
                            "there is no exit code to route on");
    }
    for (size_t i = 0; i < ARRAY_SIZE(ecs_owned); i++) {
        if (!json_object_get(c->s->state, ecs_owned[i]))
            continue;
        c->rc = diag_add(c->x->dl, D_EXT_FIELD_CONFLICT,
                         yload_key_loc(c->x->def, c->s->state, ecs_owned[i]),
                         "'%s' cannot be used together with 'Ecs'", ecs_owned[i]);
        diag_note(c->x->dl, "'Ecs' generates the Resource and the %s; remove one of them",
                  c->s->jsonata ? "Arguments" : "Parameters");
    }
}

/* ---- container overrides ------------------------------------------------------- */

/* A literal string value; in a JSONata state one that looks like {% %} is quoted. */
static json_t *literal_value(struct ecs *c, const char *s)
{
    size_t n = strlen(s);
    bool looks = n >= 4 && !strncmp(s, "{%", 2) && !strcmp(s + n - 2, "%}");
    if (!c->s->jsonata || !looks)
        return json_string(s);
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "{% ");
    expand_jsonata_quote(&sb, s);
    strbuf_adds(&sb, " %}");
    json_t *v = json_string(sb.buf);
    strbuf_release(&sb);
    return v;
}

/*
 * Parses one Command element (parent[idx]) or Environment value (parent[key]) into
 * `t`. Non-string scalars become their text; strings are scanned for references.
 * Problems are reported at the value (inside it, when the scalar allows). Returns 0 or
 * -1 (then `t` needs no release).
 */
static int parse_value(struct ecs *c, const json_t *v, struct ext_tmpl *t,
                       const json_t *parent, const char *key, size_t idx)
{
    struct ydoc *doc = c->x->def;
    if (!is_scalar(v)) {
        struct loc loc =
            key ? yload_member_loc(doc, parent, key) : yload_index_loc(doc, parent, idx);
        return c->rc = diag_add(c->x->dl, D_EXT_FIELD_VALUE, loc,
                                "a %s value must be a string, number or boolean",
                                key ? "Environment" : "Command");
    }
    struct ext_ref_err err;
    if (!json_is_string(v)) {
        char *text = ext_scalar_text(v);
        memset(t, 0, sizeof(*t));
        tmpl_push(t, EXT_LIT, text, strlen(text), 0);
        free(text);
        return 0;
    }
    if (ext_tmpl_parse(json_string_value(v), t, &err)) {
        struct loc loc = key ? yload_member_subloc(doc, parent, key, err.off, 1)
                             : yload_index_loc(doc, parent, idx);
        c->rc = diag_add(c->x->dl, D_EXT_REF_SYNTAX, loc, "%s", err.msg);
        diag_note(c->x->dl, "write {$.path} or {%% expression %%}; {{$ stands for a "
                            "literal {$");
        return -1;
    }
    for (size_t i = 0; i < t->n && !c->s->jsonata; i++) {
        if (t->v[i].kind != EXT_JSONATA)
            continue;
        struct loc loc = key ? yload_member_subloc(doc, parent, key, t->v[i].off, 2)
                             : yload_index_loc(doc, parent, idx);
        c->rc = diag_add(c->x->dl, D_EXT_REF_LANG, loc,
                         "{%% %%} reference in JSONPath state '%s'", c->s->name);
        diag_note(c->x->dl, "use a {$.path} reference, or add \"QueryLanguage\": "
                            "\"JSONata\" to the state");
        ext_tmpl_release(t);
        return -1;
    }
    return 0;
}

/* Literal characters of a template, for the override size estimate. */
static json_t *literal_part(const struct ext_tmpl *t)
{
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].kind == EXT_LIT)
            strbuf_adds(&sb, t->v[i].text);
    json_t *v = json_string(sb.buf);
    strbuf_release(&sb);
    return v;
}

/* Sets `key` of `obj` from a template: a literal, a path, a Format or a JSONata term. */
static void set_value(struct ecs *c, json_t *obj, const char *key,
                      const struct ext_tmpl *t)
{
    struct strbuf sb = STRBUF_INIT;
    if (!ext_tmpl_has_ref(t)) {
        json_t *lit = literal_part(t);
        json_object_set_new(obj, key, literal_value(c, json_string_value(lit)));
        json_decref(lit);
    } else if (c->s->jsonata) {
        strbuf_adds(&sb, "{% ");
        if (t->n == 1 && t->v[0].kind == EXT_JSONATA)
            strbuf_adds(&sb, t->v[0].text); /* a whole expression needs no parentheses */
        else
            ext_tmpl_jsonata(&sb, t);
        strbuf_adds(&sb, " %}");
        json_object_set_new(obj, key, json_string(sb.buf));
    } else {
        ext_tmpl_intrinsic(&sb, t);
        char *dkey = xasprintf("%s.$", key);
        json_object_set_new(obj, dkey, json_string(sb.buf));
        free(dkey);
    }
    strbuf_release(&sb);
}

/*
 * Command: a plain array when it holds no reference, else States.Array(...) (JSONPath)
 * or one JSONata array expression. `est` gets the literal parts for the size check.
 */
static void add_command(struct ecs *c, json_t *ovr, json_t *est)
{
    const json_t *cmd = json_object_get(c->e, "Command");
    if (!cmd)
        return;
    if (!json_is_array(cmd)) {
        bad_value(c, c->e, "Command", "Ecs '%s' must be a list", "Command");
        return;
    }
    size_t n = json_array_size(cmd);
    struct ext_tmpl *t = xcalloc(n + 1, sizeof(*t));
    bool refs = false, ok = true;
    json_t *lits = json_array();
    for (size_t i = 0; i < n; i++) {
        if (parse_value(c, json_array_get(cmd, i), &t[i], cmd, NULL, i)) {
            ok = false;
            continue;
        }
        refs |= ext_tmpl_has_ref(&t[i]);
        json_array_append_new(lits, literal_part(&t[i]));
    }
    json_object_set(est, "Command", lits);
    struct strbuf sb = STRBUF_INIT;
    if (!ok) {
        /* reported */
    } else if (!refs) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, literal_value(c, t[i].v ? t[i].v[0].text : ""));
        json_object_set_new(ovr, "Command", arr);
    } else if (c->s->jsonata) {
        strbuf_adds(&sb, "{% [");
        for (size_t i = 0; i < n; i++) {
            strbuf_adds(&sb, i ? ", " : "");
            ext_tmpl_jsonata(&sb, &t[i]);
        }
        strbuf_adds(&sb, "] %}");
        json_object_set_new(ovr, "Command", json_string(sb.buf));
    } else {
        strbuf_adds(&sb, "States.Array(");
        for (size_t i = 0; i < n; i++) {
            strbuf_adds(&sb, i ? ", " : "");
            ext_tmpl_intrinsic(&sb, &t[i]);
        }
        strbuf_addch(&sb, ')');
        json_object_set_new(ovr, "Command.$", json_string(sb.buf));
    }
    strbuf_release(&sb);
    json_decref(lits);
    for (size_t i = 0; i < n; i++)
        ext_tmpl_release(&t[i]);
    free(t);
}

/* Environment: [{Name, Value}] in the user's order, then TASK_TOKEN for callbacks. */
static void add_environment(struct ecs *c, json_t *ovr, json_t *est)
{
    const json_t *env = json_object_get(c->e, "Environment");
    json_t *list = json_array(), *lits = json_array();
    if (env && !json_is_object(env))
        bad_value(c, c->e, "Environment", "Ecs '%s' must map variable names to values",
                  "Environment");
    const char *k;
    json_t *v;
    json_object_foreach(json_is_object(env) ? (json_t *)env : NULL, k, v)
    {
        struct ext_tmpl t;
        if (c->callback && !strcmp(k, "TASK_TOKEN")) {
            c->rc =
                diag_add(c->x->dl, D_EXT_FIELD_CONFLICT, yload_key_loc(c->x->def, env, k),
                         "'TASK_TOKEN' is set by the callback step itself");
            diag_note(c->x->dl, "the container reads its task token from TASK_TOKEN");
            continue;
        }
        if (parse_value(c, v, &t, env, k, 0))
            continue;
        json_t *item = json_object();
        json_object_set_new(item, "Name", json_string(k));
        set_value(c, item, "Value", &t);
        json_array_append_new(list, item);
        json_array_append_new(
            lits, json_pack("{s:s,s:o}", "Name", k, "Value", literal_part(&t)));
        ext_tmpl_release(&t);
    }
    if (c->callback) {
        json_t *item = json_object();
        json_object_set_new(item, "Name", json_string("TASK_TOKEN"));
        if (c->s->jsonata)
            json_object_set_new(item, "Value",
                                json_string("{% $states.context.Task.Token %}"));
        else
            json_object_set_new(item, "Value.$", json_string("$$.Task.Token"));
        json_array_append_new(list, item);
        json_array_append_new(lits,
                              json_pack("{s:s,s:s}", "Name", "TASK_TOKEN", "Value", ""));
    }
    if (json_array_size(list)) {
        json_object_set(ovr, "Environment", list);
        json_object_set(est, "Environment", lits);
    }
    json_decref(list);
    json_decref(lits);
}

/* Cpu / Memory: task-level overrides, which RunTask takes as strings. */
static void add_size(struct ecs *c, json_t *ovr, json_t *est, const char *key)
{
    const json_t *v = json_object_get(c->e, key);
    if (!v)
        return;
    if (!(json_is_integer(v) && json_integer_value(v) > 0) &&
        !(json_is_string(v) && *json_string_value(v))) {
        bad_value(c, c->e, key, "Ecs '%s' must be a positive integer (CPU units or MiB)",
                  key);
        return;
    }
    char *text = ext_scalar_text(v);
    json_object_set_new(ovr, key, literal_value(c, text));
    json_object_set_new(est, key, json_string(text));
    free(text);
}

/*
 * Overrides: task-level Cpu/Memory, then the container's Command and Environment.
 * Checks the 8,192-character limit on the literal parts (references count as empty).
 */
static json_t *build_overrides(struct ecs *c)
{
    json_t *ovr = json_object(), *est = json_object();
    json_t *co = json_object(), *coest = json_object();
    add_size(c, ovr, est, "Cpu");
    add_size(c, ovr, est, "Memory");
    json_object_set_new(co, "Name", json_string(c->container));
    json_object_set_new(coest, "Name", json_string(c->container));
    add_command(c, co, coest);
    add_environment(c, co, coest);
    if (json_object_size(co) > 1) {
        json_object_set_new(ovr, "ContainerOverrides", json_pack("[O]", co));
        json_object_set_new(est, "ContainerOverrides", json_pack("[O]", coest));
    }
    char *text = jout_compact(est);
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        chars += (*p & 0xC0) != 0x80;
    if (chars > EXT_ECS_OVERRIDES_MAX) {
        c->rc = diag_add(
            c->x->dl, D_EXT_ECS_OVERRIDES_SIZE,
            yload_key_loc(c->x->def, c->s->state, "Ecs"),
            "container overrides of state '%s' take %zu characters, %zu over "
            "the limit of %d",
            c->s->name, chars, chars - EXT_ECS_OVERRIDES_MAX, EXT_ECS_OVERRIDES_MAX);
        diag_note(c->x->dl, "RunTask limits all overrides together, JSON punctuation "
                            "included; pass large data through S3 or the input instead");
    }
    free(text);
    json_decref(est);
    json_decref(co);
    json_decref(coest);
    if (!json_object_size(ovr)) {
        json_decref(ovr);
        return NULL;
    }
    return ovr;
}

/* ---- Parameters / Arguments ------------------------------------------------------ */

static json_t *network_configuration(struct ecs *c)
{
    const struct wf_ecs *ecs = &c->x->wf->ecs;
    if (!json_array_size(ecs->subnets)) {
        if (!strcmp(ecs->launch_type, "FARGATE")) {
            c->rc = diag_add(
                c->x->dl, D_EXT_ECS_NETWORK, yload_key_loc(c->x->def, c->s->state, "Ecs"),
                "state '%s' runs on Fargate, but the catalog gives no subnets",
                c->s->name);
            diag_note(c->x->dl,
                      "set ecs.subnets (and ecs.security_groups) in the "
                      "catalog's defaults or on workflow '%s'",
                      c->x->wf->key);
        }
        return NULL;
    }
    json_t *vpc = json_object();
    /* copies: the definition tree must not share values with the catalog */
    json_object_set_new(vpc, "Subnets", json_deep_copy(ecs->subnets));
    if (json_array_size(ecs->security_groups))
        json_object_set_new(vpc, "SecurityGroups", json_deep_copy(ecs->security_groups));
    json_object_set_new(vpc, "AssignPublicIp",
                        json_string(ecs->assign_public_ip ? "ENABLED" : "DISABLED"));
    return json_pack("{s:o}", "AwsvpcConfiguration", vpc);
}

static json_t *build_tags(struct ecs *c)
{
    const json_t *tags = json_object_get(c->e, "Tags");
    if (!tags)
        return NULL;
    if (!json_is_object(tags) || !json_object_size(tags)) {
        bad_value(c, c->e, "Tags", "Ecs '%s' must map tag keys to values", "Tags");
        return NULL;
    }
    json_t *list = json_array();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)tags, k, v)
    {
        if (!is_scalar(v) || json_is_null(v) || strlen(k) > 128 ||
            !strncmp(k, "aws:", 4)) {
            c->rc = diag_add(c->x->dl, D_EXT_FIELD_VALUE,
                             yload_member_loc(c->x->def, tags, k),
                             "tag '%s' must have a key of 1-128 characters not starting "
                             "with 'aws:' and a string value",
                             k);
            continue;
        }
        char *text = ext_scalar_text(v);
        json_t *tag = json_object();
        json_object_set_new(tag, "Key", json_string(k));
        json_object_set_new(tag, "Value", literal_value(c, text));
        json_array_append_new(list, tag);
        free(text);
    }
    return list;
}

/*
 * Moves the members of `gen` (stolen) into the user's Ecs mapping and returns that
 * mapping (a new reference). Locations are looked up by container, so diagnostics about
 * the generated Parameters (a TaskDefinition the validator dislikes, say) then point at
 * the user's Ecs fields, or at the Ecs mapping itself. The user's old values stay alive
 * in the graveyard.
 */
static json_t *reuse_container(struct ecs *c, json_t *gen)
{
    const char *k;
    json_t *v;
    json_object_foreach(c->e, k, v) json_array_append(c->x->graveyard, v);
    json_object_clear(c->e);
    json_object_update(c->e, gen);
    json_decref(gen);
    return json_incref(c->e);
}

static json_t *build_arguments(struct ecs *c)
{
    const struct workflow *wf = c->x->wf;
    const struct catalog *cat = c->x->cat;
    json_t *a = json_object();
    const char *cl = wf->ecs.cluster;
    if (!strncmp(cl, "arn:", 4))
        json_object_set_new(a, "Cluster", json_string(cl));
    else
        json_object_set_new(a, "Cluster",
                            json_sprintf("arn:%s:ecs:%s:%s:cluster/%s", cat->partition,
                                         cat->region, cat->account_id, cl));
    json_object_set_new(a, "TaskDefinition", json_string(c->family ? c->family : ""));
    json_object_set_new(a, "LaunchType", json_string(wf->ecs.launch_type));
    json_t *net = network_configuration(c);
    if (net)
        json_object_set_new(a, "NetworkConfiguration", net);
    json_t *ovr = build_overrides(c);
    if (ovr)
        json_object_set_new(a, "Overrides", ovr);
    json_t *tags = build_tags(c);
    if (tags)
        json_object_set_new(a, "Tags", tags);
    return reuse_container(c, a);
}

/* ---- result, timeout, retry ----------------------------------------------------- */

/* What later steps need from a stopped task: ARN, exit codes, reason, timings. */
static json_t *summary_result(struct ecs *c)
{
    static const char *const fields[][3] = {
        {"TaskArn", "$.TaskArn", "$states.result.TaskArn"},
        {"ExitCodes", "$.Containers[*].ExitCode", "[$states.result.Containers.ExitCode]"},
        {"StoppedReason", "$.StoppedReason", "$states.result.StoppedReason"},
        {"CreatedAt", "$.CreatedAt", "$states.result.CreatedAt"},
        {"StartedAt", "$.StartedAt", "$states.result.StartedAt"},
        {"StoppedAt", "$.StoppedAt", "$states.result.StoppedAt"},
    };
    json_t *o = json_object();
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        if (c->s->jsonata) {
            json_object_set_new(o, fields[i][0],
                                json_sprintf("{%% %s %%}", fields[i][2]));
        } else {
            char *k = xasprintf("%s.$", fields[i][0]);
            json_object_set_new(o, k, json_string(fields[i][1]));
            free(k);
        }
    }
    return o;
}

/* A literal integer field of the state (TimeoutSeconds...), or 0. */
static long state_int(const json_t *st, const char *key)
{
    const json_t *v = json_object_get(st, key);
    return json_is_integer(v) ? (long)json_integer_value(v) : 0;
}

/* TimeoutSeconds from the step or defaults.ecs.timeout; HeartbeatSeconds for callbacks.
 */
static void check_timeouts(struct ecs *c, json_t *gen)
{
    json_t *st = c->s->state;
    struct ydoc *doc = c->x->def;
    bool has = json_object_get(st, "TimeoutSeconds") ||
               json_object_get(st, "TimeoutSecondsPath");
    long timeout = state_int(st, "TimeoutSeconds");
    const char *from = "TimeoutSeconds";
    if (!has && c->x->wf->ecs.timeout > 0) {
        timeout = c->x->wf->ecs.timeout;
        from = "the catalog's ecs.timeout";
        json_object_set_new(gen, "TimeoutSeconds", json_integer(timeout));
    } else if (!has) {
        c->rc = diag_add(c->x->dl, D_EXT_ECS_TIMEOUT, yload_key_loc(doc, st, "Ecs"),
                         "ECS step '%s' has no timeout", c->s->name);
        diag_note(c->x->dl,
                  "add \"TimeoutSeconds\" to the state, or set ecs.timeout in the "
                  "catalog (e.g. 1h)");
    }
    if (!c->callback)
        return;
    bool hb = json_object_get(st, "HeartbeatSeconds") ||
              json_object_get(st, "HeartbeatSecondsPath");
    long beat = state_int(st, "HeartbeatSeconds");
    if (!hb) {
        c->rc = diag_add(c->x->dl, D_EXT_ECS_HEARTBEAT,
                         yload_member_loc(doc, c->e, "Callback"),
                         "callback step '%s' has no HeartbeatSeconds", c->s->name);
        diag_note(c->x->dl,
                  "a container that dies before sending its token would hold the "
                  "step until the timeout; add \"HeartbeatSeconds\" and send "
                  "heartbeats");
    } else if (beat && timeout && beat >= timeout) {
        c->rc = diag_add(
            c->x->dl, D_EXT_ECS_HEARTBEAT, yload_member_loc(doc, st, "HeartbeatSeconds"),
            "HeartbeatSeconds %ld of state '%s' is not below its timeout %ld "
            "(%s)",
            beat, c->s->name, timeout, from);
    }
}

/* Error names of RunTask failures to start that are worth retrying in place. */
static const char *const transient_errors[] = {
    "ECS.AmazonECSException", /* API errors: throttling, capacity, service */
    "AmazonECS.Unknown",      /* RunTask returned Failures (aws-facts.md 2.2) */
};

static bool retry_names(const json_t *retry, const char *name)
{
    size_t i, j;
    json_t *r, *n;
    json_array_foreach(retry, i, r)
    {
        json_array_foreach(json_object_get(r, "ErrorEquals"), j, n)
        {
            if (json_is_string(n) && !strcmp(json_string_value(n), name))
                return true;
        }
    }
    return false;
}

static bool is_wildcard_list(const json_t *names)
{
    size_t i;
    json_t *n;
    json_array_foreach(names, i, n)
    {
        const char *s = json_string_value(n);
        if (s && (!strcmp(s, "States.ALL") || !strcmp(s, "States.TaskFailed")))
            return true;
    }
    return false;
}

/*
 * The default retrier on transient start failures. It goes after the user's retriers
 * (theirs win) but before a final States.ALL one, and leaves out names they retry.
 */
static void add_default_retry(struct ecs *c, json_t *gen)
{
    json_t *retry = json_object_get(c->s->state, "Retry");
    if (!c->default_retry || (retry && !json_is_array(retry)))
        return;
    json_t *names = json_array();
    for (size_t i = 0; i < ARRAY_SIZE(transient_errors); i++)
        if (!retry_names(retry, transient_errors[i]))
            json_array_append_new(names, json_string(transient_errors[i]));
    if (!json_array_size(names)) {
        json_decref(names);
        return;
    }
    json_t *r =
        json_pack("{s:o,s:i,s:i,s:i,s:s}", "ErrorEquals", names, "IntervalSeconds", 10,
                  "MaxAttempts", 3, "BackoffRate", 2, "JitterStrategy", "FULL");
    if (!retry) {
        json_object_set_new(gen, "Retry", json_pack("[o]", r));
        return;
    }
    size_t n = json_array_size(retry);
    json_t *last = json_array_get(retry, n ? n - 1 : 0);
    const json_t *last_names = json_object_get(last, "ErrorEquals");
    const char *last_name = json_string_value(json_array_get(last_names, 0));
    bool all_last = n && json_array_size(last_names) == 1 && last_name &&
                    !strcmp(last_name, "States.ALL");
    json_array_insert_new(retry, all_last ? n - 1 : n, r);
}

/* ---- exit-code routing ------------------------------------------------------------ */

/* Builds the generated names and checks they are free; returns 0 or -1. */
static int router_names(struct ecs *c)
{
    const char *name = c->s->name;
    c->router = xasprintf("%s.OnFailure", name);
    c->fail = xasprintf("%s.Failed", name);
    struct strbuf var = STRBUF_INIT;
    strbuf_adds(&var, "ecs_retries_");
    for (const char *p = name; *p; p++)
        strbuf_addch(&var, is_ident((unsigned char)*p) ? *p : '_');
    c->var = strbuf_detach(&var, NULL);
    const char *gen[] = {c->router, c->fail};
    for (size_t i = 0; i < ARRAY_SIZE(gen); i++) {
        if (strlen(gen[i]) <= ECS_STATE_NAME_MAX &&
            !expand_has_state(c->s->states, gen[i]))
            continue;
        c->rc = diag_add(c->x->dl, D_EXT_NAME_CLASH,
                         yload_key_loc(c->x->def, c->s->state, "Ecs"),
                         expand_has_state(c->s->states, gen[i])
                             ? "generated state name '%s' is already used"
                             : "generated state name '%s' is longer than 80 characters",
                         gen[i]);
        diag_note(c->x->dl, "exit-code handling adds states named after '%s'; rename it",
                  name);
        return -1;
    }
    return 0;
}

/* "{% <body> %}" as a new JSON string. */
static json_t *ja(const char *body)
{
    return json_sprintf("{%% %s %%}", body);
}

/* The JSONata block that binds $t to the stopped task parsed from the error cause. */
static void add_task_binding(struct strbuf *sb)
{
    strbuf_adds(sb, "$c := $states.input." ECS_ERROR_KEY ".Cause; "
                    "$t := $substring($c, 0, 1) = '{' ? $parse($c) : {}; ");
}

static void add_exit_code(struct ecs *c, struct strbuf *sb)
{
    strbuf_adds(sb, "$t.Containers[Name = ");
    expand_jsonata_quote(sb, c->container);
    strbuf_adds(sb, "].ExitCode");
}

static void add_attempts(struct ecs *c, struct strbuf *sb)
{
    strbuf_addf(sb, "($exists($%s) ? $%s : 0)", c->var, c->var);
}

/* The step's input without the error the catcher stored in it. */
#define STRIP_ERROR "$sift($states.input, function($v, $k) {$k != '" ECS_ERROR_KEY "'})"

/* A rule (or the Default) that re-runs the step, counting the attempt. */
static json_t *rerun_rule(struct ecs *c, const char *cond)
{
    struct strbuf sb = STRBUF_INIT;
    json_t *rule = json_object();
    json_object_set_new(rule, "Condition", ja(cond));
    add_attempts(c, &sb);
    strbuf_adds(&sb, " + 1");
    json_object_set_new(rule, "Assign", json_pack("{s:o}", c->var, ja(sb.buf)));
    json_object_set_new(rule, "Output", ja("$merge([" STRIP_ERROR "])"));
    json_object_set_new(rule, "Next", json_string(c->s->name));
    strbuf_release(&sb);
    return rule;
}

static json_t *reset_assign(struct ecs *c)
{
    return c->var ? json_pack("{s:i}", c->var, 0) : NULL;
}

/*
 * Output reproducing a user catcher on the error stored under ecs_error: its
 * ResultPath ($, null or $.name) in JSONPath states, no Output in JSONata states.
 * Returns NULL after reporting a catcher that cannot be reproduced.
 */
static json_t *catcher_output(struct ecs *c, const json_t *catcher)
{
    struct ydoc *doc = c->x->def;
    const char *bad = json_object_get(catcher, "Assign")                    ? "Assign"
                      : c->s->jsonata && json_object_get(catcher, "Output") ? "Output"
                                                                            : NULL;
    const json_t *rp = json_object_get(catcher, "ResultPath");
    const char *path = json_string_value(rp);
    size_t plen = path ? strlen(path) : 0;
    bool one_level = path && plen > 2 && !strncmp(path, "$.", 2) &&
                     jsonata_plain_name(path + 2, plen - 2);
    if (!bad && rp && !json_is_null(rp) && !one_level && !(path && !strcmp(path, "$")))
        bad = "ResultPath";
    if (bad) {
        c->rc = diag_add(c->x->dl, D_EXT_ECS_CATCH, yload_key_loc(doc, catcher, bad),
                         "this catcher's '%s' cannot be combined with the exit-code "
                         "handling of state '%s'",
                         bad, c->s->name);
        diag_note(c->x->dl,
                  "failures go through the generated Choice '%s' first, which "
                  "can reproduce a ResultPath of $, null or $.name only",
                  c->router);
        return NULL;
    }
    if (!rp || (path && !strcmp(path, "$")))
        return ja("$states.input." ECS_ERROR_KEY);
    if (json_is_null(rp))
        return ja("$merge([" STRIP_ERROR "])");
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, "$merge([" STRIP_ERROR ", {");
    expand_jsonata_quote(&sb, path + 2);
    strbuf_adds(&sb, ": $states.input." ECS_ERROR_KEY "}])");
    json_t *v = ja(sb.buf);
    strbuf_release(&sb);
    return v;
}

/*
 * Rules for the user's catchers, in their order: a catcher of specific error names
 * becomes a rule; the first wildcard catcher (States.ALL, States.TaskFailed) becomes
 * the Default. Returns the Default's catcher or NULL.
 */
static const json_t *catcher_rules(struct ecs *c, const json_t *catches, json_t *rules)
{
    size_t i;
    json_t *k;
    json_array_foreach(catches, i, k)
    {
        const json_t *names = json_object_get(k, "ErrorEquals");
        if (is_wildcard_list(names))
            return k;
        struct strbuf sb = STRBUF_INIT;
        size_t j, used = 0;
        json_t *n;
        strbuf_adds(&sb, "$states.input." ECS_ERROR_KEY ".Error in [");
        json_array_foreach(names, j, n)
        {
            const char *s = json_string_value(n);
            if (!s || !strcmp(s, "States.Timeout") ||
                !strcmp(s, "States.HeartbeatTimeout"))
                continue; /* never caught by States.TaskFailed */
            strbuf_adds(&sb, used++ ? ", " : "");
            expand_jsonata_quote(&sb, s);
        }
        strbuf_addch(&sb, ']');
        json_t *out = used ? catcher_output(c, k) : NULL;
        if (out) {
            json_t *rule = json_object();
            json_object_set_new(rule, "Condition", ja(sb.buf));
            if (c->var)
                json_object_set_new(rule, "Assign", reset_assign(c));
            json_object_set_new(rule, "Output", out);
            json_object_set(rule, "Next", json_object_get(k, "Next"));
            json_array_append_new(rules, rule);
        }
        strbuf_release(&sb);
    }
    return NULL;
}

/* The Choice's rules for start failures, retryable exit codes and OnExitCode. */
static void exit_rules(struct ecs *c, json_t *rules)
{
    struct strbuf sb = STRBUF_INIT;
    if (c->start_retry) {
        strbuf_adds(&sb, "(");
        add_task_binding(&sb);
        add_attempts(c, &sb);
        strbuf_addf(&sb,
                    " < %ld and $exists($t.StoppedReason) and "
                    "$contains($t.StoppedReason, "
                    "/^(CannotPullContainerError|ResourceInitializationError)/))",
                    c->reruns);
        json_array_append_new(rules, rerun_rule(c, sb.buf));
        strbuf_reset(&sb);
    }
    if (c->exit_retry) {
        strbuf_adds(&sb, "(");
        add_task_binding(&sb);
        add_attempts(c, &sb);
        strbuf_addf(&sb, " < %ld and ", c->reruns);
        add_exit_code(c, &sb);
        strbuf_adds(&sb, " in [");
        for (size_t i = 0; i < json_array_size(c->exit_retry); i++)
            strbuf_addf(&sb, "%s%lld", i ? ", " : "",
                        (long long)json_integer_value(json_array_get(c->exit_retry, i)));
        strbuf_adds(&sb, "])");
        json_array_append_new(rules, rerun_rule(c, sb.buf));
        strbuf_reset(&sb);
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)c->on_exit, k, v)
    {
        strbuf_adds(&sb, "(");
        add_task_binding(&sb);
        add_exit_code(c, &sb);
        strbuf_addf(&sb, " = %ld)", strtol(k, NULL, 10));
        json_t *rule = json_object();
        json_object_set_new(rule, "Condition", ja(sb.buf));
        if (c->var)
            json_object_set_new(rule, "Assign", reset_assign(c));
        json_object_set(rule, "Next", v);
        json_array_append_new(rules, rule);
        strbuf_reset(&sb);
    }
    strbuf_release(&sb);
}

/*
 * Adds the failure router: a catcher (first in Catch) storing the error under
 * $.ecs_error and going to "<state>.OnFailure", a JSONata Choice that re-runs the step
 * on start failures and retryable exit codes, routes OnExitCode, then reproduces the
 * user's own catchers; and "<state>.Failed", which fails with the original error when
 * nothing catches it. `gen` receives new state fields; `after` the new states.
 */
static void add_router(struct ecs *c, json_t *gen, json_t *after)
{
    if (router_names(c))
        return;
    bool reruns = c->start_retry || c->exit_retry;
    if (!reruns) {
        free(c->var);
        c->var = NULL;
    }
    json_t *catcher = json_object();
    json_object_set_new(catcher, "ErrorEquals", json_pack("[s]", "States.TaskFailed"));
    if (c->s->jsonata)
        json_object_set_new(
            catcher, "Output",
            ja("$merge([$states.input, {'" ECS_ERROR_KEY "': $states.errorOutput}])"));
    else
        json_object_set_new(catcher, "ResultPath", json_string("$." ECS_ERROR_KEY));
    json_object_set_new(catcher, "Next", json_string(c->router));
    json_t *catches = json_object_get(c->s->state, "Catch");
    json_t *rules = json_array();
    exit_rules(c, rules);
    const json_t *dflt = catcher_rules(c, json_is_array(catches) ? catches : NULL, rules);
    json_t *choice = json_object();
    json_object_set_new(choice, "Type", json_string("Choice"));
    json_object_set_new(choice, "Comment",
                        json_sprintf("Generated from the Ecs field of '%s': routes its "
                                     "failures by exit code",
                                     c->s->name));
    if (!c->x->machine_jsonata)
        json_object_set_new(choice, "QueryLanguage", json_string("JSONata"));
    json_object_set_new(choice, "Choices", rules);
    if (dflt) {
        json_t *out = catcher_output(c, dflt);
        json_object_set(choice, "Default", json_object_get(dflt, "Next"));
        if (out)
            json_object_set_new(choice, "Output", out);
        if (c->var)
            json_object_set_new(choice, "Assign", reset_assign(c));
    } else {
        json_object_set_new(choice, "Default", json_string(c->fail));
    }
    json_object_set_new(after, c->router, choice);
    if (!dflt) {
        json_t *fail = json_object();
        json_object_set_new(fail, "Type", json_string("Fail"));
        json_object_set_new(
            fail, "Comment",
            json_sprintf("Generated: '%s' failed and no catcher took it", c->s->name));
        if (!c->x->machine_jsonata)
            json_object_set_new(fail, "QueryLanguage", json_string("JSONata"));
        json_object_set_new(fail, "Error", ja("$states.input." ECS_ERROR_KEY ".Error"));
        json_object_set_new(fail, "Cause", ja("$states.input." ECS_ERROR_KEY ".Cause"));
        json_object_set_new(after, c->fail, fail);
    }
    if (json_is_array(catches))
        json_array_insert_new(catches, 0, catcher);
    else
        json_object_set_new(gen, "Catch", json_pack("[o]", catcher));
    if (!c->var)
        return;
    json_t *assign = json_object_get(c->s->state, "Assign");
    if (json_is_object(assign))
        json_object_set_new(assign, c->var, json_integer(0));
    else if (!assign)
        json_object_set_new(gen, "Assign", reset_assign(c));
}

/* ---- the expander ------------------------------------------------------------------ */

int ext_ecs_expand(struct ext_ctx *x, struct ext_site *s)
{
    struct ecs c = {.x = x, .s = s, .e = s->value};
    struct ydoc *doc = x->def;
    if (!json_is_object(s->value)) {
        return diag_add(x->dl, D_EXT_FIELD_VALUE, yload_member_loc(doc, s->state, "Ecs"),
                        "'Ecs' of state '%s' must be a mapping", s->name);
    }
    c.rc = expand_check_keys(x, c.e, "Ecs", ecs_fields, ecs_required,
                             yload_key_loc(doc, s->state, "Ecs"));
    check_taskdef(&c);
    const char *container = get_string(&c, "Container");
    c.container = container ? container : x->wf->ecs.container;
    check_combinations(&c);
    check_failure_fields(&c);
    json_t *gen = json_object(), *after = json_object();
    json_object_set_new(gen, "Resource",
                        json_sprintf("arn:%s:states:::ecs:runTask.%s", x->cat->partition,
                                     c.callback ? "waitForTaskToken" : "sync"));
    const char *args_key = s->jsonata ? "Arguments" : "Parameters";
    json_object_set_new(gen, args_key, json_null()); /* keeps the slot; filled last */
    const char *result_key = s->jsonata ? "Output" : "ResultSelector";
    if (!c.callback && !c.full && !json_object_get(s->state, result_key))
        json_object_set_new(gen, result_key, summary_result(&c));
    check_timeouts(&c, gen);
    add_default_retry(&c, gen);
    if (!c.callback && (c.exit_retry || c.on_exit || c.start_retry) && c.rc == 0)
        add_router(&c, gen, after);
    /* last: it moves the generated arguments into the Ecs mapping (see reuse_container)
     */
    json_object_set_new(gen, args_key, build_arguments(&c));
    if (c.rc == 0) {
        expand_splice(s->state, "Ecs", EXPAND_REPLACE, gen);
        if (json_object_size(after))
            expand_splice(s->states, s->name, EXPAND_AFTER, json_incref(after));
    } else {
        json_decref(gen);
    }
    json_decref(after);
    free(c.router);
    free(c.fail);
    free(c.var);
    return c.rc;
}

/* ---- callback policy --------------------------------------------------------------- */

/* True when a Task of `machine` (or of a nested machine) is an ECS callback step. */
static bool has_ecs_callback(const json_t *machine)
{
    const char *k;
    json_t *st;
    json_object_foreach(json_object_get(machine, "States"), k, st)
    {
        const char *r = json_string_value(json_object_get(st, "Resource"));
        size_t n = r ? strlen(r) : 0;
        static const char sfx[] = ":states:::ecs:runTask.waitForTaskToken";
        if (n >= sizeof(sfx) && !strcmp(r + n - (sizeof(sfx) - 1), sfx) &&
            !strncmp(r, "arn:", 4))
            return true;
        size_t i;
        json_t *b;
        json_array_foreach(json_object_get(st, "Branches"), i, b)
        {
            if (has_ecs_callback(b))
                return true;
        }
        if (has_ecs_callback(json_object_get(st, "ItemProcessor")) ||
            has_ecs_callback(json_object_get(st, "Iterator")))
            return true;
    }
    return false;
}

json_t *ext_ecs_callback_policy_new(const json_t *asl)
{
    if (!has_ecs_callback(asl))
        return NULL;
    return json_pack("{s:s,s:[{s:s,s:s,s:[s,s,s],s:s}]}", "Version", "2012-10-17",
                     "Statement", "Sid", "SendTaskToken", "Effect", "Allow", "Action",
                     "states:SendTaskFailure", "states:SendTaskHeartbeat",
                     "states:SendTaskSuccess", "Resource", "*");
}
