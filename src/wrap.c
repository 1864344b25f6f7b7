/* Operational wrapping: concurrency limits and dedupe (see wrap.h). */
#include "wrap.h"

int wrap_operational(const struct catalog *cat, const struct workflow *wf, struct ydoc *def,
                     struct diag_list *dl)
{
    (void)cat;
    (void)wf;
    (void)def;
    (void)dl;
    return 0; /* not implemented yet */
}
