/*
 * Fuzz target for the ASL validator: any bytes that load as YAML/JSON must validate to
 * diagnostics without crashing, with and without --allow-placeholders.
 */
#include "asl/validate.h"
#include "diag.h"
#include "yload.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct diag_list dl = DIAG_LIST_INIT;
    struct ydoc doc;
    if (yload_mem(&doc, "fuzz.asl.yaml", (const char *)data, size, &dl) == 0) {
        for (int placeholders = 0; placeholders < 2; placeholders++) {
            struct asl_opts opts = {.allow_placeholders = placeholders};
            asl_validate(&doc, doc.root, &opts, &dl);
        }
        ydoc_release(&doc);
    }
    diag_sort(&dl);
    diag_release(&dl);
    return 0;
}
