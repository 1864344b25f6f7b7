/* What several commands share: finding a catalog workflow by KEY (see cmd.h). */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int cmd_find_workflow(const char *cmd, const char *path, const char *key,
                      struct catalog *cat, struct diag_list *dl,
                      const struct workflow **wf)
{
    *wf = NULL;
    int r = catalog_load(cat, path, dl);
    if (r == -2) {
        fprintf(stderr, "wfgen %s: cannot read catalog '%s': %s\n", cmd, path,
                strerror(errno));
        return WF_EXIT_SYSTEM;
    }
    if (r) { /* errors stop us; warnings alone are `validate`'s business */
        diag_print(dl, DIAG_TEXT, stderr);
        diag_truncate(dl, 0);
        return WF_EXIT_INVALID;
    }
    *wf = catalog_find(cat, key);
    if (*wf)
        return WF_EXIT_OK;
    fprintf(stderr, "wfgen %s: no workflow '%s' in %s\n", cmd, key, path);
    const char *best = catalog_suggest_key(cat, key);
    if (best)
        fprintf(stderr, "note: did you mean '%s'?\n", best);
    return WF_EXIT_INVALID;
}
