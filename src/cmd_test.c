/*
 * wfgen test [-c FILE] [KEY ...] [--junit F] [--coverage]
 * Runs the cases of definitions/<key>.test.yaml against each workflow's compiled
 * machine, prints PASS/FAIL per case, coverage on request, and "N passed, N failed".
 * Exit 0: all passed; 5: an assertion failed; 1: an invalid test file; 4: I/O error.
 */
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "build.h"
#include "catalog.h"
#include "cmd.h"
#include "coverage.h"
#include "wftest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct test_args {
    const char *catalog, *junit;
    bool coverage;
};

/* One workflow's prepared tests. */
struct suite {
    const struct workflow *wf;
    char *path; /* definitions/<key>.test.yaml beside the definition */
    bool found;
    struct ydoc def; /* the compiled machine */
    struct wftest_file tf;
};

struct test_ctx {
    struct diag_list dl;
    struct catalog cat;
    struct suite *v;
    size_t nr;
    size_t passed, failed;
    struct wftest_junit junit;
};

static char *test_path(const struct workflow *wf)
{
    char *dir = fs_dirname(wf->definition_path);
    char *base = xasprintf("%s.test.yaml", wf->key);
    char *path = fs_join(dir, base);
    free(dir);
    free(base);
    return path;
}

/* Loads the compiled machine and the test file of one suite. Returns an exit code. */
static int prepare(struct test_ctx *tc, struct suite *s, bool named)
{
    s->path = test_path(s->wf);
    s->found = fs_exists(s->path);
    if (!s->found) {
        if (!named)
            return WF_EXIT_OK;
        fprintf(stderr, "wfgen test: workflow '%s' has no test file '%s'\n", s->wf->key,
                s->path);
        return WF_EXIT_INVALID;
    }
    int r = wftest_load(&s->tf, s->path, &tc->dl);
    if (r == -2) {
        fprintf(stderr, "wfgen test: cannot read '%s': %s\n", s->path, strerror(errno));
        return WF_EXIT_SYSTEM;
    }
    size_t mark = tc->dl.nr;
    int d = build_load_definition(&tc->cat, s->wf, &s->def, &tc->dl);
    if (d == -2)
        return WF_EXIT_SYSTEM;
    if (!d)
        diag_truncate(&tc->dl, mark); /* warnings are `validate`'s business */
    if (r || d)
        return WF_EXIT_INVALID;
    return wftest_check(&s->tf, s->def.root, &tc->dl) ? WF_EXIT_INVALID : WF_EXIT_OK;
}

/* Picks the named workflows (all when none is named) and prepares each. */
static int prepare_all(struct test_ctx *tc, const char *catalog, int nkeys, char **keys)
{
    size_t n = nkeys ? (size_t)nkeys : tc->cat.nwf;
    tc->v = xcalloc(n ? n : 1, sizeof(*tc->v));
    int code = WF_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        const struct workflow *wf =
            nkeys ? catalog_find(&tc->cat, keys[i]) : &tc->cat.wf[i];
        if (!wf) {
            fprintf(stderr, "wfgen test: no workflow '%s' in %s\n", keys[i], catalog);
            code = code == WF_EXIT_SYSTEM ? code : WF_EXIT_INVALID;
            continue;
        }
        struct suite *s = &tc->v[tc->nr++];
        s->wf = wf;
        int r = prepare(tc, s, nkeys > 0);
        if (r == WF_EXIT_SYSTEM || (r && !code))
            code = r;
    }
    if (tc->dl.nr)
        diag_print(&tc->dl, DIAG_TEXT, stderr);
    if (!code && diag_failed(&tc->dl, false))
        code = WF_EXIT_INVALID;
    return code;
}

static void print_failure(const char *text)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        printf("  %.*s\n", (int)n, p);
        p += n + (nl != NULL);
    }
}

/* Runs one workflow's cases; prints a line per case and, on request, its coverage. */
static void run_suite(struct test_ctx *tc, struct suite *s, const struct test_args *a)
{
    const struct workflow *wf = s->wf;
    if (!s->found) {
        printf("no test file for %s (%s)\n", wf->key, s->path);
        return;
    }
    char *role = xasprintf("arn:%s:iam::%s:role/%s", tc->cat.partition,
                           tc->cat.account_id, wf->names.role);
    /* One cache for the suite's cases: the definition is the same for all of them. */
    struct interp_cache *cache = interp_cache_new();
    const struct interp_opts base = {
        .partition = tc->cat.partition,
        .region = tc->cat.region,
        .account_id = tc->cat.account_id,
        .machine_name = wf->names.state_machine,
        .role_arn = role,
        .cache = cache,
    };
    struct coverage cov;
    if (a->coverage)
        coverage_init(&cov, s->def.root);
    if (a->junit) /* collected only for a report that was asked for */
        wftest_junit_suite(&tc->junit, wf->key);
    for (size_t i = 0; i < s->tf.ncases; i++) {
        const struct wftest_case *c = &s->tf.cases[i];
        struct wftest_result res;
        wftest_run_case(c, s->def.root, &base, a->coverage ? &cov : NULL, &res);
        printf("%s %s: %s\n", res.passed ? "PASS" : "FAIL", wf->key, c->name);
        if (res.failure)
            print_failure(res.failure);
        if (a->junit)
            wftest_junit_case(&tc->junit, c->name, res.failure);
        if (res.passed)
            tc->passed++;
        else
            tc->failed++;
        wftest_result_release(&res);
    }
    if (a->coverage) {
        coverage_report(&cov, wf->key, stdout);
        coverage_release(&cov);
    }
    interp_cache_free(cache);
    free(role);
}

static int write_junit(const struct test_ctx *tc, const char *path)
{
    char *xml = wftest_junit_xml(&tc->junit);
    int r = fs_write_atomic(path, xml, strlen(xml));
    free(xml);
    if (r) {
        fprintf(stderr, "wfgen test: cannot write '%s': %s\n", path, strerror(errno));
        return WF_EXIT_SYSTEM;
    }
    return WF_EXIT_OK;
}

static void ctx_release(struct test_ctx *tc)
{
    for (size_t i = 0; i < tc->nr; i++) {
        wftest_release(&tc->v[i].tf);
        ydoc_release(&tc->v[i].def);
        free(tc->v[i].path);
    }
    free(tc->v);
    wftest_junit_release(&tc->junit);
    catalog_release(&tc->cat);
    diag_release(&tc->dl);
}

int cmd_test(int argc, char **argv)
{
    struct test_args a = {.catalog = "workflows.yaml"};
    const struct opt opts[] = {
        {"catalog", 'c', OPT_STRING, &a.catalog, "FILE",
         "catalog (default workflows.yaml)"},
        {"junit", 0, OPT_STRING, &a.junit, "FILE", "also write the results as JUnit XML"},
        {"coverage", 0, OPT_BOOL, &a.coverage, NULL,
         "list states, transitions, Choice rules, retriers and catchers never exercised"},
    };
    const struct opt_cmd cmd = {
        "test",
        "[-c FILE] [KEY ...] [--junit FILE] [--coverage]",
        "Run the workflow test cases in definitions/<key>.test.yaml.",
        opts,
        (int)ARRAY_SIZE(opts),
        0,
        -1};
    int nargs, code = opt_parse(&cmd, argc, argv, &nargs);
    if (code >= 0)
        return code;
    struct test_ctx tc = {.dl = DIAG_LIST_INIT};
    int r = catalog_load(&tc.cat, a.catalog, &tc.dl);
    if (r == -2) {
        fprintf(stderr, "wfgen test: cannot read catalog '%s': %s\n", a.catalog,
                strerror(errno));
        code = WF_EXIT_SYSTEM;
    } else if (r) {
        diag_print(&tc.dl, DIAG_TEXT, stderr);
        code = WF_EXIT_INVALID;
    } else {
        code = prepare_all(&tc, a.catalog, nargs, argv);
    }
    if (!code) {
        for (size_t i = 0; i < tc.nr; i++)
            run_suite(&tc, &tc.v[i], &a);
        printf("%zu passed, %zu failed\n", tc.passed, tc.failed);
        code = tc.failed ? WF_EXIT_FAILED : WF_EXIT_OK;
        if (a.junit && write_junit(&tc, a.junit))
            code = WF_EXIT_SYSTEM;
    }
    ctx_release(&tc);
    return code;
}
