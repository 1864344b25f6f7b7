/*
 * JSONPath as Step Functions uses it: paths ($.a.b[0], $..x, [*], filters, slices,
 * unions), reference paths (a single node: no .., *, filters, slices, unions), and
 * context-object paths ($$.Execution.Id). One parser serves the validator and the
 * interpreter.
 *
 * NOTE: the check API below is fixed (the validator calls it); the rest of this
 * header is owned by the JSONPath module.
 */
#ifndef WFGEN_JPATH_H
#define WFGEN_JPATH_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>

enum jpath_kind {
    JPATH_PATH,      /* InputPath, OutputPath, ItemsPath, `.$` values: any path */
    JPATH_REFERENCE, /* ResultPath, Choice Variable, *Path comparators: one node only */
};

/* clang-format off */
struct jpath_err {
    size_t offset;  /* byte offset of the fault inside the expression */
    char msg[160];  /* lowercase, no final period: "'..' is not allowed in a reference path" */
};
/* clang-format on */

/* Fills err (when not NULL) with the offset and message; returns -1. For parsers. */
int jpath_verr(struct jpath_err *err, size_t off, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/*
 * Checks the syntax of a path ("$..." or "$$..."; variables "$name..." are accepted
 * too). Returns 0 when valid, -1 with *err filled otherwise.
 */
int jpath_check(const char *expr, enum jpath_kind kind, struct jpath_err *err);

/*
 * ---- Compiled paths ---------------------------------------------------------------
 *
 * Ownership: every json_t argument is borrowed and never modified; every json_t
 * returned through `out` is a new reference the caller must decref. Results may share
 * sub-values with the arguments (jansson values are shared, not copied), so callers
 * must not mutate them in place either (STYLE 3.1).
 *
 * Grammar (Jayway-compatible, as Step Functions accepts it):
 *   root     $ (input) | $$ (context object) | $name (variable) | @ (filter item)
 *   segment  .name  .*  ..name  ..*  ..[...]  .[...]  [...]  .length()
 *   bracket  ['a'] ["a"] ['a','b']  [n] [-n] [0,2]  [a:b] [a:b:c]  [*]  [?(expr)]
 *   filter   || && ! ( ) == != < <= > >= =~ /re/flags, operands @.., $.., literals
 *            ('x', "x", numbers, true, false, null, bare words taken as strings)
 * A path is definite when it can only name one node; an indefinite path evaluates
 * to a JSON array of every match, in document order.
 */

enum jpath_root {
    JPATH_ROOT_INPUT,   /* $ */
    JPATH_ROOT_CONTEXT, /* $$ */
    JPATH_ROOT_VAR,     /* $name */
    JPATH_ROOT_CURRENT, /* @ (only inside filters) */
};

/* jpath_eval's result when the path selects nothing (distinct from a JSON null). */
#define JPATH_NOT_FOUND 1

struct jpath;

/*
 * Compiles `expr` (the whole string must be a path; surrounding whitespace is ignored,
 * as Jayway trims). Returns NULL with *err filled (byte offset into expr) when the
 * syntax is wrong or `kind` forbids a construct.
 */
struct jpath *jpath_compile(const char *expr, enum jpath_kind kind,
                            struct jpath_err *err);

/*
 * Compiles the path that starts at expr[0] ('$') and stops before the first byte
 * that cannot continue it (such as ',' or ')' in an intrinsic call); *end receives
 * the number of bytes used. For embedding paths in other languages.
 */
struct jpath *jpath_compile_prefix(const char *expr, enum jpath_kind kind, size_t *end,
                                   struct jpath_err *err);

void jpath_free(struct jpath *p);

/* The source text, the root, and for JPATH_ROOT_VAR the variable name (else NULL). */
const char *jpath_text(const struct jpath *p);
enum jpath_root jpath_root(const struct jpath *p);
const char *jpath_var(const struct jpath *p);
/* 1 when the path names at most one node (its value is not wrapped in an array). */
int jpath_is_definite(const struct jpath *p);
/* 1 for the bare root "$" (ResultPath "$" replaces the whole input). */
int jpath_is_root(const struct jpath *p);

/*
 * Evaluates p. `root` binds $, `context` binds $$, `vars` (an object, may be NULL)
 * binds $name. Returns 0 with *out set (new reference): the node itself for a
 * definite path, an array of matches (possibly empty) otherwise. Returns
 * JPATH_NOT_FOUND when nothing matched a definite path or a definite prefix broke;
 * err->msg (if err is not NULL) then holds the Jayway-style reason, e.g.
 * "No results for path: $['x']" or "Missing property in path $['no']".
 */
int jpath_eval(const struct jpath *p, json_t *root, json_t *context, json_t *vars,
               json_t **out, struct jpath_err *err);

/*
 * ResultPath: writes `value` at reference path `ref` inside a copy of `root` and
 * returns the new document in *out (new reference). Missing intermediate objects are
 * created; an existing intermediate that is not an object (or, for [n], an array
 * holding index n) makes it fail with -1 so the caller can raise
 * States.ResultPathMatchFailure. "$" returns value itself. Neither root nor value is
 * modified: only the objects along the path are copied (shallowly).
 */
int jpath_set(const struct jpath *ref, json_t *root, json_t *value, json_t **out);

/* Length of the longest valid UTF-8 prefix of s[0..len). */
size_t jpath_utf8_prefix(const char *s, size_t len);

#endif
