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
    outset_add_json(out, asl, "state_machines/%s.asl.json", wf->key);
}
