/*
 * Plain driver for libFuzzer targets: feeds every file of the given folders to
 * LLVMFuzzerTestOneInput, so seed corpora run as regression tests in `make test`.
 */
#include "base/fsutil.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        names = realloc(names, (n + 1) * sizeof(*names));
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof(*names), cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *path = fs_join(dir, names[i]);
        char *buf;
        size_t len;
        if (fs_read_file(path, &buf, &len) == 0) {
            LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
            free(buf);
            (*count)++;
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return 0;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int rc = 0;
    for (int i = 1; i < argc; i++)
        rc |= replay_dir(argv[i], &count);
    printf("replay %s: %zu inputs, no crash\n", argc > 1 ? argv[1] : "", count);
    return rc;
}
