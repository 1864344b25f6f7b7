/*
 * A parallel for-loop over 0..n-1 on a few threads, for work that is independent per
 * index and writes only its own slot (build compiles and writes thousands of
 * workflows this way). Results must not depend on which thread ran an index: callers
 * merge per-index results in index order afterwards.
 */
#ifndef WFGEN_PFOR_H
#define WFGEN_PFOR_H

#include <stddef.h>

/* Calls fn(i, ctx) once for every i < n on up to `jobs` threads (0: one per CPU). */
void pfor(size_t n, unsigned jobs, void (*fn)(size_t i, void *ctx), void *ctx);

/* Threads pfor would use for n items when asked for `jobs` (0: one per CPU, max 8). */
unsigned pfor_threads(size_t n, unsigned jobs);

#endif
