/*
 * The small placeholder engine behind the Terraform templates (*.tf.tmpl): `{{ name }}`,
 * `{{ name | filter }}`, `{{! comment }}` and the `\{{` escape (docs/templates.md),
 * values looked up by dotted name in a json_t object, errors reported as diagnostics
 * at the template's line and column. Also finds the built-in templates folder.
 */
#ifndef WFGEN_TMPL_H
#define WFGEN_TMPL_H

#include "base/strbuf.h"
#include "diag.h"

#include <jansson.h>

struct srcfile;

/*
 * Renders the bytes of `file` (a registered srcfile, so diagnostics can quote it) with
 * the variables in `vars` (borrowed object; dotted names walk nested objects) and
 * appends the result to `out`. Every problem becomes a BUILD_TEMPLATE error at the
 * placeholder's line:col and rendering goes on, so one run reports them all. Returns
 * 0, or -1 when an error was added (`out` then holds a partial result).
 */
int tmpl_render(const struct srcfile *file, const json_t *vars, struct strbuf *out,
                struct diag_list *dl);

/*
 * Loads `dir`/`name` and renders it as tmpl_render does. A file that cannot be read is
 * a BUILD_TEMPLATE error naming the path and the system's reason. Returns 0 or -1.
 */
int tmpl_render_file(const char *dir, const char *name, const json_t *vars,
                     struct strbuf *out, struct diag_list *dl);

/*
 * Returns the built-in Terraform templates folder as a new string (caller frees), or
 * NULL when none of the candidate folders exists. See tmpl.c for the search order.
 */
char *tmpl_builtin_dir(void);

#endif
