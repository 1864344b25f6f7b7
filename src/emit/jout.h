/*
 * Canonical JSON text: 2-space indent, 15 significant digits for reals, raw UTF-8,
 * one trailing newline. The only caller of json_dump* in wfgen, so every JSON byte
 * wfgen writes has the same shape.
 */
#ifndef WFGEN_JOUT_H
#define WFGEN_JOUT_H

#include <jansson.h>
#include <stdio.h>

/* Returns a new string (caller frees) holding the pretty canonical form plus "\n". */
char *jout_dump(const json_t *v, size_t *len);
/* Returns a new single-line string (no trailing newline), e.g. for HCL or messages. */
char *jout_compact(const json_t *v);
/* Bytes of the single-line form, computed without building the text. */
size_t jout_compact_size(const json_t *v);
/* Bytes jout_dump would return (with its newline), computed without building the text. */
size_t jout_dump_size(const json_t *v);
/* Writes the pretty canonical form to out. */
void jout_print(const json_t *v, FILE *out);

#endif
