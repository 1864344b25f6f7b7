/*
 * wfgen's side of bench/run_jsonata.sh: reads DIR/cases.tsv (name, input, evaluations,
 * expression; written by bench/jsonata_peer.js) and the input documents beside it,
 * compiles each expression once and evaluates it N times in plain mode (the document
 * as the context item), best of 3. Prints "name<TAB>nanoseconds per evaluation".
 * Built by the script against libwfgen.a; not part of the library.
 */
#include "interp/jsonata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Evaluates j on doc n times; returns ns per evaluation, or -1 on an error. */
static double measure(const struct jsonata *j, json_t *doc, long n)
{
    struct jsonata_env env = {0};
    env.mode = JSONATA_PLAIN;
    env.input = doc;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) {
        json_t *out = NULL;
        struct jsonata_err err;
        if (jsonata_eval(j, &env, &out, &err) < 0) {
            fprintf(stderr, "jsonata_bench: %s: %s\n", err.code, err.msg);
            return -1;
        }
        json_decref(out);
    }
    return (now_ns() - t0) / (double)n;
}

static int run_case(const char *dir, char *line)
{
    char *name = strtok(line, "\t"), *input = strtok(NULL, "\t");
    char *count = strtok(NULL, "\t"), *expr = strtok(NULL, "\n");
    if (!name || !input || !count || !expr)
        return 0;
    long n = strtol(count, NULL, 10);
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.json", dir, input);
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc) {
        fprintf(stderr, "jsonata_bench: %s: %s\n", path, je.text);
        return -1;
    }
    struct jsonata_err err;
    struct jsonata *j = jsonata_compile(expr, strlen(expr), &err);
    if (!j) {
        fprintf(stderr, "jsonata_bench: %s: %s %s\n", name, err.code, err.msg);
        json_decref(doc);
        return -1;
    }
    double best = measure(j, doc, n < 20 ? n : 20); /* warm-up */
    for (int round = 0; best >= 0 && round < 3; round++) {
        double ns = measure(j, doc, n);
        if (round == 0 || ns < best)
            best = ns;
    }
    if (best >= 0)
        printf("%s\t%.0f\n", name, best);
    jsonata_free(j);
    json_decref(doc);
    return best < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: jsonata_bench DIR\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/cases.tsv", argv[1]);
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 2;
    }
    char line[8192];
    int rc = 0;
    while (fgets(line, sizeof(line), f))
        if (run_case(argv[1], line))
            rc = 1;
    fclose(f);
    return rc;
}
