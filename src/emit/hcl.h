/*
 * HCL value writer: renders a json_t value as an HCL expression laid out exactly as
 * `terraform fmt` leaves it (2-space indent, aligned `=` within runs of single-line
 * attributes, HCL string escapes), so generated .tf files are fmt-clean by construction.
 */
#ifndef WFGEN_HCL_H
#define WFGEN_HCL_H

#include "base/strbuf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Appends `v` (borrowed) as an HCL expression. The first line continues whatever is
 * already on the current line; later lines are indented relative to `indent`, the
 * indentation (in spaces) of the line the value starts on. Objects keep the json_t
 * insertion order. Non-empty objects, and arrays holding a non-empty object or array,
 * span several lines; everything else is written on one line.
 */
void hcl_value(struct strbuf *sb, const json_t *v, unsigned indent);

/* Returns a new string (caller frees) holding hcl_value(v, indent). */
char *hcl_render(const json_t *v, unsigned indent);

/*
 * Appends a quoted HCL string: `"` and `\` are escaped, control characters become
 * \n, \r, \t or \uNNNN, and template openers are doubled (`${` -> `$${`, `%{` -> `%%{`)
 * so the text is taken literally. `s` is UTF-8 and may hold NUL bytes.
 */
void hcl_string(struct strbuf *sb, const char *s, size_t len);

/* Appends an object key: bare when hcl_is_ident(key), else quoted like hcl_string. */
void hcl_key(struct strbuf *sb, const char *key, size_t len);

/*
 * True when `s` can be written as a bare object key: [A-Za-z_][A-Za-z0-9_-]* and not
 * one of the words HCL reads specially at that spot (true, false, null, for, in, if).
 */
bool hcl_is_ident(const char *s, size_t len);

/*
 * Number of columns `terraform fmt` counts for a UTF-8 text when aligning `=` signs:
 * grapheme clusters, approximated as code points minus combining marks, joiners,
 * variation selectors and modifiers.
 */
size_t hcl_columns(const char *s, size_t len);

#endif
