/*
 * wfgen diagnostics [--markdown]
 * Lists every diagnostic code; --markdown prints docs/diagnostics.md.
 */
#include "cmd.h"
#include "diag.h"

int cmd_diagnostics(int argc, char **argv)
{
    bool markdown = false;
    const struct opt opts[] = {
        {"markdown", 0, OPT_BOOL, &markdown, NULL, "print the docs/diagnostics.md page"},
    };
    const struct opt_cmd cmd = {
        "diagnostics", "[--markdown]", "List every diagnostic code.", opts, 1, 0, 0};
    int nargs, rc = opt_parse(&cmd, argc, argv, &nargs);
    if (rc >= 0)
        return rc;
    if (markdown) {
        diag_print_catalog_markdown(stdout);
        return WF_EXIT_OK;
    }
    for (int i = 0; i < D__COUNT; i++) {
        const struct diag_info *d = diag_info((enum diag_id)i);
        printf("WF%04u  %-7s  %s\n", d->num, d->sev == SEV_ERROR ? "error" : "warning",
               d->summary);
    }
    return WF_EXIT_OK;
}
