/*
 * Choice states: rule shape in both query languages (exactly one comparison, Next only
 * at the top, Variable only on data tests, operand types, reference paths) and the lint
 * for JSONPath rules that read a path with no IsPresent guard.
 */
#include "asl/asl_int.h"
#include "base/suggest.h"

#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

enum operand {
    OP_LOGIC,
    OP_NOT,
    OP_STRING,
    OP_NUMBER,
    OP_BOOL,
    OP_TIMESTAMP,
    OP_PATH,
    OP_TYPETEST
};

static const struct comparator {
    const char *name;
    enum operand op;
} comparators[] = {
#define ASL_COMPARATOR(name, operand) {#name, OP_##operand},
#include "asl/asl_spec.def"
};

static const char *const jp_rule_keys[] = {"Variable", "Next", "Comment", "Assign"};
static const char *const ja_rule_keys[] = {"Condition", "Next", "Comment", "Assign",
                                           "Output"};

static const struct comparator *find_comparator(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(comparators); i++)
        if (!strcmp(comparators[i].name, name))
            return &comparators[i];
    return NULL;
}

static bool in_list(const char *k, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(k, list[i]))
            return true;
    return false;
}

static void unknown_rule_key(struct asl_ctx *c, const json_t *rule, const char *k,
                             bool jsonata, const char *where)
{
    const char *cands[ARRAY_SIZE(comparators) + ARRAY_SIZE(ja_rule_keys)];
    size_t n = 0;
    if (jsonata) {
        for (size_t i = 0; i < ARRAY_SIZE(ja_rule_keys); i++)
            cands[n++] = ja_rule_keys[i];
    } else {
        for (size_t i = 0; i < ARRAY_SIZE(jp_rule_keys); i++)
            cands[n++] = jp_rule_keys[i];
        for (size_t i = 0; i < ARRAY_SIZE(comparators); i++)
            cands[n++] = comparators[i].name;
    }
    asl_diag(c, D_ASL_UNKNOWN_FIELD, yload_key_loc(c->doc, rule, k),
             "unknown field '%s' in %s", k, where);
    const char *best = suggest_closest(k, cands, n);
    if (best)
        asl_note(c, "did you mean '%s'?", best);
}

/* Adds the rule's transition; its own Assign (not the state's) applies on it. */
static void rule_next(struct asl_ctx *c, const json_t *rule, const char *where)
{
    const json_t *next = json_object_get(rule, "Next");
    if (!next) {
        asl_diag(c, D_ASL_CHOICE_NEXT, yload_loc(c->doc, rule), "%s has no 'Next'",
                 where);
        asl_note(c, "add \"Next\": \"<state>\"");
        return;
    }
    if (!json_is_string(next)) {
        asl_diag(c, D_ASL_FIELD_VALUE, yload_member_loc(c->doc, rule, "Next"),
                 "'Next' of %s must be the name of a state", where);
        return;
    }
    const json_t *saved = c->cur_assign;
    c->cur_assign = json_object_get(rule, "Assign");
    asl_add_edge(c, rule, "Next", where);
    c->cur_assign = saved;
}

/* ---- IsPresent guards (lint) ------------------------------------------------------- */

/* Returns P when the rule is {"Variable": P, "IsPresent": want} or Not of the opposite.
 */
static const char *presence_test(const json_t *rule, bool want)
{
    const json_t *ip = json_object_get(rule, "IsPresent");
    const char *var = json_string_value(json_object_get(rule, "Variable"));
    if (var && json_is_boolean(ip) && json_is_true(ip) == want)
        return var;
    const json_t *not = json_object_get(rule, "Not");
    return json_is_object(not ) ? presence_test(not, !want) : NULL;
}

static bool in_stack(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

static void guard_push(struct asl_ctx *c, const char *path)
{
    if (!path)
        return;
    VEC_GROW(c->guards, c->nguards + 1, c->aguards);
    c->guards[c->nguards++] = path;
}

/*
 * A comparison on a missing input path fails the execution (States.Runtime) instead of
 * being false. Guarded: an earlier IsPresent true in the same And, or an earlier
 * IsPresent false in an Or or among the top-level rules. One warning per path and state.
 */
static void lint_unguarded(struct asl_ctx *c, const json_t *rule, const char *where)
{
    const char *var = json_string_value(json_object_get(rule, "Variable"));
    if (!var || (strncmp(var, "$.", 2) && strncmp(var, "$[", 2)) ||
        in_stack(c->guards, c->nguards, var) || in_stack(c->warned, c->nwarned, var))
        return;
    VEC_GROW(c->warned, c->nwarned + 1, c->awarned);
    c->warned[c->nwarned++] = var;
    asl_diag(c, D_LINT_CHOICE_UNGUARDED, yload_member_loc(c->doc, rule, "Variable"),
             "%s reads '%s' without an IsPresent guard", where, var);
    asl_note(
        c,
        "when '%s' is missing the execution fails with States.Runtime instead of the "
        "rule being false; test {\"Variable\": \"%s\", \"IsPresent\": true} first "
        "inside an \"And\"",
        var, var);
}

/* ---- JSONPath rules ---------------------------------------------------------------- */

static void check_jp_rule(struct asl_ctx *c, const json_t *rule, bool top,
                          const char *path, const char *swhere);

static void check_rule_list(struct asl_ctx *c, const json_t *rule, const char *op,
                            const char *path, const char *swhere, const char *where)
{
    const json_t *arr = json_object_get(rule, op);
    if (!json_is_array(arr) || !json_array_size(arr)) {
        asl_diag(c, D_ASL_CHOICE_OPERAND, yload_member_loc(c->doc, rule, op),
                 "'%s' of %s must be a non-empty array of rules", op, where);
        return;
    }
    size_t g0 = c->nguards;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *sub = json_array_get(arr, i);
        char *subpath = xasprintf("%s.%s[%zu]", path, op, i);
        if (json_is_object(sub))
            check_jp_rule(c, sub, false, subpath, swhere);
        else
            asl_diag(c, D_ASL_CHOICE_OPERAND, yload_index_loc(c->doc, arr, i),
                     "choice rule %s of %s must be an object", subpath, swhere);
        guard_push(c,
                   json_is_object(sub) ? presence_test(sub, !strcmp(op, "And")) : NULL);
        free(subpath);
    }
    c->nguards = g0;
}

static void check_variable(struct asl_ctx *c, const json_t *rule,
                           const struct comparator *op, const char *where)
{
    const json_t *var = json_object_get(rule, "Variable");
    if (op->op == OP_LOGIC || op->op == OP_NOT) {
        if (!var)
            return;
        asl_diag(c, D_ASL_CHOICE_VARIABLE, yload_key_loc(c->doc, rule, "Variable"),
                 "'Variable' is not allowed with '%s' in %s", op->name, where);
        asl_note(c,
                 "And, Or and Not combine other rules, which carry their own Variable");
        return;
    }
    if (!var) {
        asl_diag(c, D_ASL_CHOICE_VARIABLE, yload_loc(c->doc, rule),
                 "%s has no 'Variable'", where);
        asl_note(c, "add \"Variable\": \"$.field\" to say what '%s' compares", op->name);
        return;
    }
    if (asl_placeholder(c, var))
        return;
    if (!json_is_string(var)) {
        asl_diag(c, D_ASL_CHOICE_VARIABLE, yload_member_loc(c->doc, rule, "Variable"),
                 "'Variable' of %s must be a path string", where);
        return;
    }
    asl_check_path(c, rule, "Variable", JPATH_REFERENCE, where);
}

static bool operand_ok(const struct comparator *op, const json_t *v)
{
    switch (op->op) {
    case OP_STRING:
        return json_is_string(v);
    case OP_NUMBER:
        return json_is_number(v);
    case OP_BOOL:
    case OP_TYPETEST:
        return json_is_boolean(v);
    case OP_TIMESTAMP:
        return json_is_string(v) && asl_timestamp_ok(json_string_value(v));
    case OP_PATH:
        return json_is_string(v);
    case OP_LOGIC:
    case OP_NOT:
        break;
    }
    return true;
}

static const char *const operand_desc[] = {
    [OP_STRING] = "a string",
    [OP_NUMBER] = "a number",
    [OP_BOOL] = "true or false",
    [OP_TYPETEST] = "true or false",
    [OP_TIMESTAMP] = "an RFC 3339 timestamp such as \"2024-01-31T09:00:00Z\"",
    [OP_PATH] = "a reference path",
    [OP_LOGIC] = "a non-empty array of rules",
    [OP_NOT] = "a rule object",
};

static void check_operand(struct asl_ctx *c, const json_t *rule,
                          const struct comparator *op, const char *path,
                          const char *swhere, const char *where)
{
    const json_t *v = json_object_get(rule, op->name);
    if (asl_placeholder(c, v))
        return;
    if (op->op == OP_LOGIC) {
        check_rule_list(c, rule, op->name, path, swhere, where);
        return;
    }
    if (op->op == OP_NOT && json_is_object(v)) {
        char *subpath = xasprintf("%s.Not", path);
        check_jp_rule(c, v, false, subpath, swhere);
        free(subpath);
        return;
    }
    if (op->op != OP_NOT && operand_ok(op, v)) {
        if (op->op == OP_PATH)
            asl_check_path(c, rule, op->name, JPATH_REFERENCE, where);
        if (strcmp(op->name, "IsPresent"))
            lint_unguarded(c, rule, where);
        return;
    }
    asl_diag(c, D_ASL_CHOICE_OPERAND, yload_member_loc(c->doc, rule, op->name),
             "'%s' of %s must be %s", op->name, where, operand_desc[op->op]);
}

static void check_jp_rule(struct asl_ctx *c, const json_t *rule, bool top,
                          const char *path, const char *swhere)
{
    char *where = xasprintf("choice rule %s of %s", path, swhere);
    const struct comparator *op = NULL;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rule, k, v)
    {
        const struct comparator *cmp = find_comparator(k);
        if (cmp && !op) {
            op = cmp;
        } else if (cmp) {
            asl_diag(c, D_ASL_CHOICE_COMPARATOR, yload_key_loc(c->doc, rule, k),
                     "%s has two comparisons, '%s' and '%s'", where, op->name, k);
            asl_note(c, "a rule holds exactly one; combine several with \"And\": [...]");
        } else if (!strcmp(k, "Next") && !top) {
            asl_diag(c, D_ASL_CHOICE_NEXT, yload_key_loc(c->doc, rule, k),
                     "nested %s must not have 'Next'", where);
            asl_note(c,
                     "only top-level rules transition; rules inside And, Or and Not are "
                     "conditions");
        } else if (!strcmp(k, "Assign") && !top) {
            asl_diag(c, D_ASL_FIELD_NOT_ALLOWED, yload_key_loc(c->doc, rule, k),
                     "'Assign' is not allowed in nested %s", where);
        } else if (!strcmp(k, "Condition") || !strcmp(k, "Output")) {
            asl_wrong_ql(c, rule, k, false, where);
        } else if (!in_list(k, jp_rule_keys, ARRAY_SIZE(jp_rule_keys))) {
            unknown_rule_key(c, rule, k, false, where);
        }
    }
    if (!op) {
        asl_diag(c, D_ASL_CHOICE_COMPARATOR, yload_loc(c->doc, rule),
                 "%s has no comparison", where);
        asl_note(c,
                 "add one operator such as \"StringEquals\" or \"IsPresent\", or combine "
                 "rules with \"And\", \"Or\" or \"Not\"");
    }
    if (top) {
        rule_next(c, rule, where);
        if (json_is_object(json_object_get(rule, "Assign")))
            asl_check_assign(c, rule, "Assign", false, where);
        else if (json_object_get(rule, "Assign"))
            asl_diag(c, D_ASL_FIELD_VALUE, yload_member_loc(c->doc, rule, "Assign"),
                     "'Assign' of %s must be an object", where);
    }
    if (op) {
        check_variable(c, rule, op, where);
        check_operand(c, rule, op, path, swhere, where);
    }
    free(where);
}

/* ---- JSONata rules ----------------------------------------------------------------- */

static void check_condition(struct asl_ctx *c, const json_t *rule, const char *where)
{
    const json_t *cond = json_object_get(rule, "Condition");
    if (!cond) {
        asl_diag(c, D_ASL_MISSING_FIELD, yload_loc(c->doc, rule),
                 "missing 'Condition' in %s", where);
        asl_note(c, "add \"Condition\": \"%s\"", "{% <boolean expression> %}");
        return;
    }
    if (json_is_boolean(cond) || asl_placeholder(c, cond))
        return;
    if (json_is_string(cond) && asl_jsonata_string(c, rule, "Condition", 0, where))
        return;
    asl_diag(c, D_ASL_FIELD_VALUE, yload_member_loc(c->doc, rule, "Condition"),
             "'Condition' of %s must be a %s expression or a boolean", where,
             "{% ... %}");
}

static void check_ja_rule(struct asl_ctx *c, const json_t *rule, const char *path,
                          const char *swhere)
{
    char *where = xasprintf("choice rule %s of %s", path, swhere);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rule, k, v)
    {
        if (in_list(k, ja_rule_keys, ARRAY_SIZE(ja_rule_keys)))
            continue;
        if (find_comparator(k) || !strcmp(k, "Variable")) {
            asl_wrong_ql(c, rule, k, true, where);
            asl_note(c, "JSONata Choice rules test \"Condition\": \"%s\"", "{% ... %}");
        } else {
            unknown_rule_key(c, rule, k, true, where);
        }
    }
    check_condition(c, rule, where);
    rule_next(c, rule, where);
    if (json_is_object(json_object_get(rule, "Assign")))
        asl_check_assign(c, rule, "Assign", true, where);
    else if (json_object_get(rule, "Assign"))
        asl_diag(c, D_ASL_FIELD_VALUE, yload_member_loc(c->doc, rule, "Assign"),
                 "'Assign' of %s must be an object", where);
    if (json_object_get(rule, "Output"))
        asl_check_template(c, rule, "Output", true, where);
    free(where);
}

void asl_check_choice(struct asl_ctx *c, size_t si, const char *where)
{
    const struct asl_state *st = &c->states[si];
    const json_t *choices = json_object_get(st->obj, "Choices");
    c->nguards = c->nwarned = 0;
    for (size_t i = 0; i < json_array_size(choices); i++) {
        const json_t *rule = json_array_get(choices, i);
        char *path = xasprintf("Choices[%zu]", i);
        if (!json_is_object(rule))
            asl_diag(c, D_ASL_FIELD_VALUE, yload_index_loc(c->doc, choices, i),
                     "choice rule %s of %s must be an object", path, where);
        else if (st->jsonata)
            check_ja_rule(c, rule, path, where);
        else
            check_jp_rule(c, rule, true, path, where);
        if (json_is_object(rule) && !st->jsonata)
            guard_push(c, presence_test(rule, false));
        free(path);
    }
    c->nguards = c->nwarned = 0;
}
