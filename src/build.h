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
#include <stdint.h>

struct build_opts {
    bool allow_placeholders; /* treat ${...} in definitions as opaque (validate only) */
    unsigned jobs;           /* threads compiling workflows; 0 = one per CPU */
    const char *stage_dir;   /* build: stage each workflow's files there (see below) */
};

/*
 * Checks every workflow and, when `out` is non-NULL, renders every output into it.
 * Returns 0, -1 after error diagnostics, or -2 on a system error (message printed).
 *
 * With opts->stage_dir (the output folder of a build), each workflow's files are
 * staged as soon as it compiles, so a large build keeps little in memory and writes
 * while it compiles: a file the previous manifest lists and that already holds the
 * bytes just drops its data; any other is written to a temporary beside its
 * destination (outfile.staged) and drops its data. build_write then renames. When the
 * compile fails, every temporary is removed before returning.
 */
int build_compile(const struct catalog *cat, const struct build_opts *opts,
                  struct outset *out, struct diag_list *dl);

/*
 * Writes the set into outdir: only changed files, each atomically; removes files the
 * previous manifest lists that are no longer generated; then the manifest. Nothing is
 * renamed into place until every new file was written to a temporary file.
 * Returns 0, or -1 after printing a system error.
 */
int build_write(const char *outdir, struct outset *set);

/*
 * Lists (on `report`) every file that is missing, different or would be removed.
 * Returns the number of stale files.
 */
size_t build_check(const char *outdir, const struct outset *set, FILE *report);

#define BUILD_MANIFEST ".wfgen-manifest"

/*
 * Loads one workflow's definition and compiles it exactly as `build` does (${...}
 * substitution, extensions, validation, operational wrapping), so `run`, `test` and
 * `graph` see the machine that gets deployed. Returns 0 with *doc filled (release it
 * with ydoc_release), -1 after error diagnostics or -2 when the file cannot be read
 * (message printed); *doc needs no release on failure.
 */
int build_load_definition(const struct catalog *cat, const struct workflow *wf,
                          struct ydoc *doc, struct diag_list *dl);

/* The virtual start of a run without --scheduled-time, and of a test case without one. */
#define BUILD_DEFAULT_START "2026-01-01T00:00:00Z"

/*
 * The input of a scheduled execution: `input` (borrowed) with "scheduled_time" set to
 * start_ms in the scheduler's form ("2026-01-01T03:00:00Z") when `replace` is true or
 * the input has none. A non-object input comes back unchanged. Returns a new reference.
 */
json_t *build_scheduled_input(json_t *input, int64_t start_ms, bool replace);

#endif
