/* The Step Functions definition output: state_machines/<key>.asl.json. */
#ifndef WFGEN_EMIT_SFN_H
#define WFGEN_EMIT_SFN_H

#include "catalog.h"
#include "emit/emit.h"

/* Adds state_machines/<key>.asl.json holding `asl` (borrowed) as canonical JSON. */
void emit_sfn(const struct workflow *wf, const json_t *asl, struct outset *out);

#endif
