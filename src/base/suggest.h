/*
 * "Did you mean" suggestions: the closest candidate to a misspelt word, by edit
 * distance ignoring ASCII case. One rule for every diagnostic that suggests a name.
 */
#ifndef WFGEN_SUGGEST_H
#define WFGEN_SUGGEST_H

#include <stddef.h>

/*
 * Returns the candidate closest to `word` (borrowed from `cands`), or NULL when none is
 * within max(2, len/3) edits. A candidate equal to `word` is never suggested.
 */
const char *suggest_closest(const char *word, const char *const *cands, size_t n);

#endif
