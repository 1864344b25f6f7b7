/*
 * Conformance driver for the JSONata engine: runs every case of the JSONata test suite
 * (groups/<group>/<file>.json, one case or an array of cases per file; datasets/ for
 * shared inputs) in plain mode, in one process, and compares results (numbers by value,
 * objects without regard to key order, "unordered" arrays as multisets) or error codes.
 *
 *   jsonata_suite SUITE_DIR [FAILURES_FILE] [GROUP_FILTER] [-v]
 *
 * Prints "jsonata: N passed, N failed, N skipped" and writes one "group/file#index"
 * line per failing case to FAILURES_FILE. Exit status 0 (the caller compares the list
 * against the known failures).
 */
#include "emit/jout.h"
#include "interp/jsonata.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *suite;
static bool verbose;
static int npass, nfail, nskip;
static FILE *failures;

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}

static bool same(const json_t *a, const json_t *b, bool unordered);

static bool same_unordered(const json_t *a, const json_t *b)
{
    size_t n = json_array_size(a);
    if (n != json_array_size(b))
        return false;
    bool *used = calloc(n + 1, 1);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        bool found = false;
        for (size_t j = 0; j < n && !found; j++)
            if (!used[j] && same(json_array_get(a, i), json_array_get(b, j), false)) {
                used[j] = true;
                found = true;
            }
        ok = found;
    }
    free(used);
    return ok;
}

static bool same(const json_t *a, const json_t *b, bool unordered)
{
    if (json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        return x == y;
    }
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_array(a)) {
        if (unordered)
            return same_unordered(a, b);
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same(json_array_get(a, i), json_array_get(b, i), false))
                return false;
        return true;
    }
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v)
        {
            json_t *w = json_object_get(b, k);
            if (!w || !same(v, w, false))
                return false;
        }
        return true;
    }
    return json_equal(a, b);
}

static json_t *dataset(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/datasets/%s.json", suite, name);
    return json_load_file(path, JSON_DECODE_ANY, NULL);
}

static void report(const char *id, const char *expr, const char *why)
{
    nfail++;
    fprintf(failures, "%s\n", id);
    if (verbose)
        printf("FAIL %s\n  expr: %s\n  %s\n", id, expr, why);
}

static void run_case(const char *group, const char *dir, const char *file, int index,
                     json_t *c)
{
    char id[512], buf[1024];
    if (index >= 0)
        snprintf(id, sizeof(id), "%s/%s#%d", group, file, index);
    else
        snprintf(id, sizeof(id), "%s/%s", group, file);
    const char *expr = json_string_value(json_object_get(c, "expr"));
    char *owned = NULL;
    if (!expr) {
        const char *ef = json_string_value(json_object_get(c, "expr-file"));
        if (!ef) {
            nskip++;
            return;
        }
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, ef);
        owned = read_file(path, NULL);
        if (!owned) {
            nskip++;
            return;
        }
        expr = owned;
    }
    json_t *input = NULL;
    bool own_input = false;
    if (json_object_get(c, "data")) {
        input = json_object_get(c, "data");
    } else if (json_is_string(json_object_get(c, "dataset"))) {
        input = dataset(json_string_value(json_object_get(c, "dataset")));
        own_input = true;
    }
    struct jsonata_env env = {0};
    env.mode = JSONATA_PLAIN;
    env.input = input;
    env.bindings = json_object_get(c, "bindings");
    env.now_ms = 1500000000000;
    json_t *depth = json_object_get(c, "depth");
    if (json_is_integer(depth))
        env.max_depth = (unsigned)json_integer_value(depth);
    if (json_object_get(c, "timelimit"))
        env.max_steps = 20000000;
    const char *code = json_string_value(json_object_get(c, "code"));
    json_t *errobj = json_object_get(c, "error");
    if (!code && errobj)
        code = json_string_value(json_object_get(errobj, "code"));
    json_t *expected = json_object_get(c, "result");
    bool undef = json_is_true(json_object_get(c, "undefinedResult"));
    bool unordered = json_is_true(json_object_get(c, "unordered"));

    struct jsonata_err err = {{0}, 0, {0}};
    struct jsonata *j = jsonata_compile(expr, strlen(expr), &err);
    json_t *out = NULL;
    int rc = -1;
    if (j)
        rc = jsonata_eval(j, &env, &out, &err);
    if (code) {
        if (rc == -1 && !strcmp(err.code, code)) {
            npass++;
        } else {
            char *got = out ? jout_compact(out) : NULL;
            snprintf(buf, sizeof(buf), "expected error %s, got %s %s", code,
                     rc == -1 ? err.code : "result",
                     rc == -1 ? err.msg
                     : got    ? got
                              : "undefined");
            free(got);
            report(id, expr, buf);
        }
    } else if (rc == -1) {
        snprintf(buf, sizeof(buf), "unexpected error %s: %s (at %zu)", err.code, err.msg,
                 err.offset);
        report(id, expr, buf);
    } else if (undef || !expected) {
        if (!out && rc == 0) {
            npass++;
        } else {
            char *got = out ? jout_compact(out) : strdup("a function");
            snprintf(buf, sizeof(buf), "expected undefined, got %.900s", got);
            free(got);
            report(id, expr, buf);
        }
    } else if (out && same(out, expected, unordered)) {
        npass++;
    } else {
        char *got = out ? jout_compact(out) : strdup(rc ? "a function" : "undefined");
        char *want = jout_compact(expected);
        snprintf(buf, sizeof(buf), "expected %.450s\n  got      %.450s", want, got);
        free(got);
        free(want);
        report(id, expr, buf);
    }
    json_decref(out);
    jsonata_free(j);
    if (own_input)
        json_decref(input);
    free(owned);
}

/*
 * Loads a case file. jansson refuses lone UTF-16 surrogates (\ud800) in strings; such a
 * case only ever uses them inside a JSONata string literal, so the escape is handed to
 * the JSONata lexer instead (doubling its backslash), which decodes it the same way.
 */
static json_t *load_case_file(const char *path, json_error_t *je)
{
    json_t *doc = json_load_file(path, JSON_DECODE_ANY, je);
    if (doc)
        return doc;
    size_t len;
    char *text = read_file(path, &len);
    if (!text)
        return NULL;
    char *fixed = malloc(len * 2 + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        bool lone = text[i] == '\\' && i + 5 < len && text[i + 1] == 'u' &&
                    (text[i + 2] == 'd' || text[i + 2] == 'D') &&
                    strchr("89abAB", text[i + 3]) &&
                    !(i + 11 < len && text[i + 6] == '\\' && text[i + 7] == 'u');
        if (lone)
            fixed[n++] = '\\';
        fixed[n++] = text[i];
    }
    doc = json_loadb(fixed, n, JSON_DECODE_ANY, je);
    free(fixed);
    free(text);
    return doc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **list_dir(const char *path, size_t *n)
{
    DIR *d = opendir(path);
    char **v = NULL;
    size_t cnt = 0, cap = 0;
    struct dirent *e;
    if (!d) {
        *n = 0;
        return NULL;
    }
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (cnt == cap) {
            cap = cap ? cap * 2 : 64;
            v = realloc(v, cap * sizeof(*v));
        }
        v[cnt++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(v, cnt, sizeof(*v), cmp_str);
    *n = cnt;
    return v;
}

int main(int argc, char **argv)
{
    const char *filter = NULL, *fail_path = "/dev/null";
    int pos = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose = true;
        else if (pos == 0 && ++pos)
            suite = argv[i];
        else if (pos == 1 && ++pos)
            fail_path = argv[i];
        else
            filter = argv[i];
    }
    if (!suite) {
        fprintf(stderr, "usage: jsonata_suite SUITE_DIR [FAILURES_FILE] [GROUP] [-v]\n");
        return 2;
    }
    failures = fopen(fail_path, "w");
    if (!failures) {
        perror(fail_path);
        return 2;
    }
    char gpath[4096];
    snprintf(gpath, sizeof(gpath), "%s/groups", suite);
    size_t ng;
    char **groups = list_dir(gpath, &ng);
    for (size_t g = 0; g < ng; g++) {
        if (filter && !strstr(groups[g], filter))
            continue;
        char dir[8192];
        snprintf(dir, sizeof(dir), "%.4000s/%.4000s", gpath, groups[g]);
        size_t nf;
        char **files = list_dir(dir, &nf);
        int pass0 = npass, fail0 = nfail, skip0 = nskip;
        for (size_t f = 0; f < nf; f++) {
            size_t l = strlen(files[f]);
            if (l < 5 || strcmp(files[f] + l - 5, ".json")) {
                free(files[f]);
                continue;
            }
            char path[16384];
            snprintf(path, sizeof(path), "%.8100s/%.8100s", dir, files[f]);
            json_error_t je;
            json_t *doc = load_case_file(path, &je);
            if (!doc) {
                char id[512];
                snprintf(id, sizeof(id), "%s/%s", groups[g], files[f]);
                report(id, "(unreadable)", je.text);
                free(files[f]);
                continue;
            }
            if (json_is_array(doc))
                for (size_t i = 0; i < json_array_size(doc); i++)
                    run_case(groups[g], dir, files[f], (int)i, json_array_get(doc, i));
            else
                run_case(groups[g], dir, files[f], -1, doc);
            json_decref(doc);
            free(files[f]);
        }
        free(files);
        printf("  %-40s %4d passed, %d failed, %d skipped\n", groups[g], npass - pass0,
               nfail - fail0, nskip - skip0);
        free(groups[g]);
    }
    free(groups);
    fclose(failures);
    printf("jsonata: %d passed, %d failed, %d skipped\n", npass, nfail, nskip);
    return 0;
}
