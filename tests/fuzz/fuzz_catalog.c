/*
 * Fuzz target for the catalog: any bytes written as workflows.yaml must load into a
 * catalog or give diagnostics, and release cleanly. catalog_load() reads a path, so
 * the input goes through a file in a private temporary folder (made once per process).
 */
#include "catalog.h"
#include "diag.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/wfgen-fuzz-catalog-XXXXXX";
static char path[sizeof(dir) + 32];

static void cleanup(void)
{
    unlink(path);
    rmdir(dir);
}

/* Writes the input to <dir>/workflows.yaml; false when the file system refuses. */
static bool write_input(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        if (!mkdtemp(dir))
            return false;
        snprintf(path, sizeof(path), "%s/workflows.yaml", dir);
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!write_input(data, size))
        return 0;
    struct diag_list dl = DIAG_LIST_INIT;
    struct catalog cat = {0};
    catalog_load(&cat, path, &dl);
    catalog_release(&cat);
    diag_sort(&dl);
    diag_release(&dl);
    return 0;
}
