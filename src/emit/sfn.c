/*
 * Step Functions definition writer. The expanded definition keeps the user's key
 * order; the output set gives it the canonical 2-space form.
 */
#include "emit/sfn.h"

void emit_sfn(const struct workflow *wf, const json_t *asl, struct outset *out)
{
    outset_add_json(out, asl, "state_machines/%s.asl.json", wf->key);
}
