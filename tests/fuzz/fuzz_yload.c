/* Fuzz target: the YAML/JSON loader must turn any bytes into a tree or diagnostics. */
#include "diag.h"
#include "yload.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    if (yload_mem(&doc, "fuzz.yaml", (const char *)data, size, &dl) == 0) {
        yload_loc(&doc, doc.root);
        ydoc_release(&doc);
    }
    diag_release(&dl);
    return 0;
}
