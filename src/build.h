/*
 * The build pipeline: catalog -> per-workflow definitions (load, validate, expand) ->
 * emitters -> an output set; then writing it into the output folder atomically with a
 * manifest, or comparing it (--check). `validate` runs the same pipeline and writes
 * nothing.
 */
#ifndef WFGEN_BUILD_H
#define WFGEN_BUILD_H

#include "catalog.h"
#include "emit/emit.h"

#include <stdbool.h>

struct build_opts {
    bool allow_placeholders; /* treat ${...} in definitions as opaque (validate only) */
};

/*
 * Checks every workflow and, when `out` is non-NULL, renders every output into it.
 * Returns 0, -1 after error diagnostics, or -2 on a system error (message printed).
 */
int build_compile(const struct catalog *cat, const struct build_opts *opts, struct outset *out,
                  struct diag_list *dl);

/*
 * Writes the set into outdir: only changed files, each atomically; removes files the
 * previous manifest lists that are no longer generated; then the manifest. Nothing is
 * renamed into place until every new file was written to a temporary file.
 * Returns 0, or -1 after printing a system error.
 */
int build_write(const char *outdir, const struct outset *set);

/*
 * Lists (on `report`) every file that is missing, different or would be removed.
 * Returns the number of stale files.
 */
size_t build_check(const char *outdir, const struct outset *set, FILE *report);

#define BUILD_MANIFEST ".wfgen-manifest"

#endif
