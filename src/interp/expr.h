/*
 * The interpreter's one seam to its expression languages: every path, payload template
 * and reference-path assignment the executor evaluates goes through here. JSONPath
 * (with intrinsic functions) is wired today; a JSONata engine plugs in behind the same
 * calls, selected by expr_env.lang.
 *
 * Ownership: json_t arguments are borrowed and never modified; values returned through
 * `out` are new references (which may share sub-values with the arguments, so never
 * mutate them in place).
 */
#ifndef WFGEN_EXPR_H
#define WFGEN_EXPR_H

#include "interp/intrinsics.h"

#include <jansson.h>

enum expr_lang {
    EXPR_JSONPATH,
    EXPR_JSONATA,
};

/* What every expression may read besides its document ($). */
struct expr_env {
    enum expr_lang lang;
    json_t *context;      /* $$ (JSONata: $states.context) */
    json_t *vars;         /* object of visible variables, or NULL */
    struct intr_rng *rng; /* States.UUID, States.MathRandom */
};

/* A failed evaluation: AWS error name and cause (no state prefix). */
struct expr_err {
    const char *name; /* static string, e.g. "States.Runtime" */
    char *cause;      /* new string */
};

/* Return value of expr_lookup when a definite path selects nothing. */
#define EXPR_NOT_FOUND 1

/*
 * Evaluates a path (InputPath, OutputPath, ItemsPath): Path, context path or variable
 * path. `field` names the field in messages. A path that selects nothing fails with
 * States.Runtime "Invalid path '<path>' : <reason>".
 */
int expr_path(const struct expr_env *env, const char *field, const char *path,
              json_t *doc, json_t **out, struct expr_err *err);

/*
 * Like expr_path for a reference path, but a missing node is not an error: returns
 * EXPR_NOT_FOUND (and *out is NULL; err->cause then holds the generic "Invalid path"
 * message, which the caller may use, and must release). For Choice rules and the
 * *Path fields of Wait and Map, whose messages differ per field.
 */
int expr_lookup(const struct expr_env *env, const char *path, json_t *doc, json_t **out,
                struct expr_err *err);

/*
 * Evaluates the value of one `.$` key: a path or an intrinsic call. A path that
 * selects nothing fails with "The JSONPath '<path>' specified for the field '<field>'
 * could not be found in the input '<doc>'".
 */
int expr_value(const struct expr_env *env, const char *field, const char *text,
               json_t *doc, json_t **out, struct expr_err *err);

/*
 * Evaluates a payload template (Parameters, ResultSelector, ItemSelector, Assign,
 * Credentials): every object member whose key ends in ".$" is replaced by the value
 * of its path or intrinsic call under the key without ".$", at any depth (objects
 * inside arrays too); everything else is copied literally.
 */
int expr_template(const struct expr_env *env, json_t *tmpl, json_t *doc, json_t **out,
                  struct expr_err *err);

/*
 * ResultPath: writes `value` at reference path `ref` into a copy of `doc`. Fails with
 * States.ResultPathMatchFailure when the path crosses a value that is not an object.
 */
int expr_assign_path(const struct expr_env *env, const char *ref, json_t *doc,
                     json_t *value, json_t **out, struct expr_err *err);

void expr_err_release(struct expr_err *err);

/* Drops the compiled-expression cache (the executor calls it after each run). */
void expr_cache_clear(void);

#endif
