/*
 * Subcommands. How to add a command:
 *   1. write src/cmd_<name>.c with `int cmd_<name>(int argc, char **argv)`, an option
 *      table (struct opt[]) and a synopsis; parse with opt_parse();
 *   2. declare it below;
 *   3. add {name, fn, summary} to the commands[] table in main.c;
 *   4. add golden cases under tests/golden/<name>/.
 * Commands return an exit code from enum wf_exit; only main() calls exit().
 */
#ifndef WFGEN_CMD_H
#define WFGEN_CMD_H

#include "catalog.h"
#include "opt.h"

/* Exit codes: a public API, never renumbered (SPEC section 1). */
enum wf_exit {
    WF_EXIT_OK = 0, /* success; --check: nothing stale */
    WF_EXIT_INVALID =
        1,              /* inputs invalid: an error diagnostic (warnings with --werror) */
    WF_EXIT_USAGE = 2,  /* unknown command or flag, missing argument */
    WF_EXIT_STALE = 3,  /* build --check: outputs stale or missing */
    WF_EXIT_SYSTEM = 4, /* unreadable input, unwritable output */
    WF_EXIT_FAILED = 5, /* run/test: the execution failed or an assertion did not hold */
};

/*
 * Loads the catalog at path into cat (release it whatever the result) and finds the
 * workflow `key`. Prints, as "wfgen <cmd>: ...", an unreadable catalog, the catalog's
 * diagnostics when it has errors, or an unknown key with the closest one as a note.
 * Returns WF_EXIT_OK with *wf set, or the exit code.
 */
int cmd_find_workflow(const char *cmd, const char *path, const char *key,
                      struct catalog *cat, struct diag_list *dl,
                      const struct workflow **wf);

int cmd_build(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_schedule(int argc, char **argv);
int cmd_diagnostics(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);
int cmd_backfill(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_eval(int argc, char **argv);

#endif
