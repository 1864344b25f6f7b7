/*
 * Step Functions definition writer. The expanded definition keeps the user's key
 * order; jout gives it the canonical 2-space form.
 */
#include "emit/sfn.h"

#include "base/xalloc.h"
#include "emit/jout.h"

#include <stdlib.h>

void emit_sfn(const struct workflow *wf, const json_t *asl, struct outset *out)
{
    size_t len;
    char *text = jout_dump(asl, &len);
    char *path = xasprintf("state_machines/%s.asl.json", wf->key);
    outset_add(out, path, text, len);
    free(path);
}
