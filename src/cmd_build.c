/*
 * wfgen build [-c FILE] [-o DIR] [--check]
 * Validates the catalog, then writes every output; --check writes nothing and exits 3
 * when an output is stale or missing.
 */
#include "build.h"
#include "cmd.h"

#include <errno.h>
#include <string.h>

static int load_catalog(struct catalog *cat, const char *path, struct diag_list *dl)
{
    int rc = catalog_load(cat, path, dl);
    if (rc == -2) {
        fprintf(stderr, "wfgen: cannot read catalog '%s': %s\n", path, strerror(errno));
        return WF_EXIT_SYSTEM;
    }
    return rc ? WF_EXIT_INVALID : WF_EXIT_OK;
}

int cmd_build(int argc, char **argv)
{
    const char *catalog_path = "workflows.yaml", *outdir = "out";
    bool check = false;
    const struct opt opts[] = {
        {"catalog", 'c', OPT_STRING, &catalog_path, "FILE",
         "catalog (default workflows.yaml)"},
        {"output", 'o', OPT_STRING, &outdir, "DIR", "output folder (default out)"},
        {"check", 0, OPT_BOOL, &check, NULL,
         "write nothing; exit 3 if an output is stale"},
    };
    const struct opt_cmd cmd = {"build",
                                "[-c FILE] [-o DIR] [--check]",
                                "Validate the catalog, then write every output.",
                                opts,
                                (int)(sizeof(opts) / sizeof(opts[0])),
                                0,
                                0};
    int nargs, rc = opt_parse(&cmd, argc, argv, &nargs);
    if (rc >= 0)
        return rc;

    struct diag_list dl = DIAG_LIST_INIT;
    struct catalog cat;
    struct outset set = OUTSET_INIT;
    struct build_opts bopts = {.stage_dir = check ? NULL : outdir};
    rc = load_catalog(&cat, catalog_path, &dl);
    if (rc == WF_EXIT_OK) {
        int crc = build_compile(&cat, &bopts, &set, &dl);
        rc = crc == -2 ? WF_EXIT_SYSTEM : crc ? WF_EXIT_INVALID : WF_EXIT_OK;
    }
    diag_print(&dl, DIAG_TEXT, stderr);
    if (rc == WF_EXIT_OK && check) {
        size_t stale = build_check(outdir, &set, stderr);
        if (stale) {
            fprintf(stderr, "wfgen: %zu output file%s stale; run 'wfgen build'\n", stale,
                    stale == 1 ? " is" : "s are");
            rc = WF_EXIT_STALE;
        }
    } else if (rc == WF_EXIT_OK && build_write(outdir, &set)) {
        rc = WF_EXIT_SYSTEM;
    }
    outset_release(&set);
    catalog_release(&cat);
    diag_release(&dl);
    return rc;
}
