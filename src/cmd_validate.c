/*
 * wfgen validate [-c FILE] [--format text|json|sarif] [--werror] [--allow-placeholders]
 *                [FILE ...]
 * Every check, no output files. With FILE arguments, standalone ASL files (JSON or YAML)
 * are validated too; the catalog is checked whenever one is present.
 */
#include "asl/validate.h"
#include "base/fsutil.h"
#include "build.h"
#include "cmd.h"
#include "srcfile.h"

#include <errno.h>
#include <string.h>

static int parse_format(const char *s, enum diag_format *out)
{
    static const struct {
        const char *name;
        enum diag_format fmt;
    } formats[] = {{"text", DIAG_TEXT}, {"json", DIAG_JSON}, {"sarif", DIAG_SARIF}};
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (!strcmp(s, formats[i].name)) {
            *out = formats[i].fmt;
            return 0;
        }
    }
    fprintf(stderr, "wfgen validate: unknown format '%s' (text, json or sarif)\n", s);
    return -1;
}

/* True when path is one of the catalog's definitions (checked with the catalog). */
static bool in_catalog(const struct catalog *cat, const char *path)
{
    for (size_t i = 0; i < cat->nwf; i++)
        if (cat->wf[i].definition_path && !strcmp(cat->wf[i].definition_path, path))
            return true;
    return !strcmp(path, cat->doc.file ? cat->doc.file->name : "");
}

static int validate_file(const char *path, const struct asl_opts *aopts,
                         struct diag_list *dl)
{
    struct ydoc doc;
    int rc = yload_file(&doc, path, dl);
    if (rc == -2) {
        fprintf(stderr, "wfgen: cannot read '%s': %s\n", path, strerror(errno));
        return WF_EXIT_SYSTEM;
    }
    if (rc == 0) {
        asl_validate(&doc, doc.root, aopts, dl);
        ydoc_release(&doc);
    }
    return WF_EXIT_OK;
}

int cmd_validate(int argc, char **argv)
{
    const char *catalog_path = NULL, *format = "text";
    bool werror = false, placeholders = false;
    const struct opt opts[] = {
        {"catalog", 'c', OPT_STRING, &catalog_path, "FILE",
         "catalog (default workflows.yaml)"},
        {"format", 0, OPT_STRING, &format, "FMT", "text, json or sarif (default text)"},
        {"werror", 0, OPT_BOOL, &werror, NULL, "treat warnings as errors"},
        {"allow-placeholders", 0, OPT_BOOL, &placeholders, NULL,
         "treat ${...} in standalone files as opaque values (SAM, Terraform)"},
    };
    const struct opt_cmd cmd = {
        "validate",
        "[-c FILE] [--format text|json|sarif] [--werror] [FILE ...]",
        "Run every check and write nothing; FILE arguments are standalone ASL files.",
        opts,
        (int)(sizeof(opts) / sizeof(opts[0])),
        0,
        -1};
    int nargs, rc = opt_parse(&cmd, argc, argv, &nargs);
    if (rc >= 0)
        return rc;
    enum diag_format fmt;
    if (parse_format(format, &fmt))
        return WF_EXIT_USAGE;

    struct diag_list dl = DIAG_LIST_INIT;
    struct catalog cat = {0};
    struct build_opts bopts = {.allow_placeholders = false};
    struct asl_opts aopts = {.allow_placeholders = placeholders};
    bool have_catalog = catalog_path || nargs == 0 || fs_exists("workflows.yaml");
    const char *cpath = catalog_path ? catalog_path : "workflows.yaml";
    rc = WF_EXIT_OK;
    if (have_catalog) {
        int lrc = catalog_load(&cat, cpath, &dl);
        if (lrc == -2) {
            fprintf(stderr, "wfgen: cannot read catalog '%s': %s\n", cpath,
                    strerror(errno));
            rc = WF_EXIT_SYSTEM;
        } else if (lrc == 0 && build_compile(&cat, &bopts, NULL, &dl) == -2) {
            rc = WF_EXIT_SYSTEM;
        }
    }
    for (int i = 0; i < nargs && rc == WF_EXIT_OK; i++)
        if (!have_catalog || !in_catalog(&cat, argv[i]))
            rc = validate_file(argv[i], &aopts, &dl);
    diag_print(&dl, fmt, fmt == DIAG_TEXT ? stderr : stdout);
    if (rc == WF_EXIT_OK && diag_failed(&dl, werror))
        rc = WF_EXIT_INVALID;
    catalog_release(&cat);
    diag_release(&dl);
    return rc;
}
