/* Unit tests for the output folder: atomic writes, manifest removal, --check. */
#include "helpers.h"

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "build.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static char *path_in(const char *rel)
{
    return fs_join(dir, rel);
}

static void add(struct outset *set, const char *path, const char *text)
{
    outset_add(set, path, xstrdup(text), strlen(text));
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/wfgen-build-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = xasprintf("rm -rf %s %s-outside", dir, dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    return 0;
}

static void test_build_write_and_check(void **state)
{
    (void)state;
    char *out = path_in("out");
    struct outset set = OUTSET_INIT;
    add(&set, "b/two.json", "2\n");
    add(&set, "a/one.json", "1\n");
    outset_sort(&set);
    FILE *devnull = fopen("/dev/null", "w");
    assert_int_equal(build_check(out, &set, devnull),
                     3); /* two files + manifest missing */
    assert_int_equal(build_write(out, &set), 0);
    assert_int_equal(build_check(out, &set, devnull), 0);

    /* Rewriting identical bytes leaves the file alone (same inode, same mtime). */
    char *one = path_in("out/a/one.json");
    struct stat before, after;
    assert_int_equal(stat(one, &before), 0);
    assert_int_equal(build_write(out, &set), 0);
    assert_int_equal(stat(one, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);

    /* A file no longer generated is removed, with its empty folder; others stay. */
    char *user = path_in("out/user.txt");
    assert_int_equal(fs_write_atomic(user, "mine", 4), 0);
    struct outset smaller = OUTSET_INIT;
    add(&smaller, "a/one.json", "1\n");
    outset_sort(&smaller);
    assert_int_equal(build_check(out, &smaller, devnull), 2); /* obsolete + manifest */
    assert_int_equal(build_write(out, &smaller), 0);
    char *two = path_in("out/b/two.json"), *bdir = path_in("out/b");
    assert_false(fs_exists(two));
    assert_false(fs_exists(bdir));
    assert_true(fs_exists(user));
    assert_true(fs_exists(one));
    fclose(devnull);
    outset_release(&set);
    outset_release(&smaller);
    free(out);
    free(one);
    free(two);
    free(bdir);
    free(user);
}

static void test_build_manifest_never_escapes(void **state)
{
    (void)state;
    char *out = path_in("out2");
    char *outside = xasprintf("%s-outside", dir);
    assert_int_equal(fs_write_atomic(outside, "x", 1), 0);
    char *manifest = path_in("out2/" BUILD_MANIFEST);
    char *text = xasprintf("# m\n../%s-outside\n/%s-outside\n" BUILD_MANIFEST "\n",
                           strrchr(dir, '/') + 1, dir + 1);
    assert_int_equal(fs_write_atomic(manifest, text, strlen(text)), 0);
    struct outset set = OUTSET_INIT;
    add(&set, "x.json", "{}\n");
    outset_sort(&set);
    assert_int_equal(build_write(out, &set), 0);
    assert_true(fs_exists(outside));
    assert_true(fs_exists(manifest));
    outset_release(&set);
    free(out);
    free(outside);
    free(manifest);
    free(text);
}

/* A write that fails half way (a folder cannot be made) renames nothing into place. */
static void test_build_write_failure_changes_nothing(void **state)
{
    (void)state;
    char *out = path_in("half");
    struct outset set = OUTSET_INIT;
    add(&set, "a.json", "1\n");
    outset_sort(&set);
    assert_int_equal(build_write(out, &set), 0);
    struct outset next = OUTSET_INIT;
    add(&next, "a.json", "2\n");
    add(&next, "a.json/inner.json",
        "3\n"); /* a.json is a file: mkdir fails, even as root */
    outset_sort(&next);
    assert_int_equal(build_write(out, &next), -1);
    char *a = path_in("half/a.json");
    assert_true(fs_same_content(a, "1\n", 2));
    char *cmd = xasprintf(
        "test -z \"$(ls -A %s | grep -v '^a.json$' | grep -v wfgen-manifest)\"", out);
    assert_int_equal(system(cmd), 0); /* no temporary files left behind */
    outset_release(&set);
    outset_release(&next);
    free(out);
    free(a);
    free(cmd);
}

/*
 * A catalog whose workflows give outputs, warnings (a zone with daylight saving under
 * Dates:), errors and, at index 13, an unreadable definition (a folder).
 */
static char *write_mixed_catalog(void)
{
    char *root = path_in("mixed");
    char *defs = fs_join(root, "definitions");
    assert_int_equal(fs_mkdir_p(defs), 0);
    struct strbuf cat = STRBUF_INIT;
    strbuf_adds(&cat, "version: 1\nproject: acme\nenv: dev\n"
                      "aws: { region: eu-west-1, account_id: \"111122223333\" }\n"
                      "defaults: { timezone: Asia/Tokyo, timeout: 1h }\nworkflows:\n");
    static const char *const kinds[] = {
        "StartAt: A\nStates:\n  A: { Type: Pass, Next: B }\n  B: { Type: Succeed }\n",
        "StartAt: D\nStates:\n  D:\n    Type: Pass\n    Dates: { day: { shift: -1d } }\n"
        "    End: true\n",
        "StartAt: A\nStates:\n  A: { Type: Pass, Next: Nowhere }\n",
        "StartAt: T\nStates:\n  T:\n    Type: Task\n"
        "    Resource: arn:aws:states:::lambda:invoke\n"
        "    Arguments: { FunctionName: f }\n    QueryLanguage: JSONata\n    End: true\n",
    };
    for (int i = 0; i < 24; i++) {
        strbuf_addf(&cat, "  - key: wf_%02d\n    schedule: rate(1 day)\n", i);
        if (i % 4 == 1)
            strbuf_adds(&cat, "    timezone: Europe/Berlin\n");
        char *def = xasprintf("%s/wf_%02d.asl.yaml", defs, i);
        if (i == 13)
            assert_int_equal(mkdir(def, 0755), 0);
        else
            assert_int_equal(fs_write_atomic(def, kinds[i % 4], strlen(kinds[i % 4])), 0);
        free(def);
    }
    char *catpath = fs_join(root, "workflows.yaml");
    assert_int_equal(fs_write_atomic(catpath, cat.buf, cat.len), 0);
    strbuf_release(&cat);
    free(defs);
    free(root);
    return catpath;
}

/* One compile's outcome as text: return code, diagnostics, then every output file. */
static char *compile_text(const char *catpath, unsigned jobs, bool missing_ok)
{
    struct catalog cat;
    struct diag_list dl = DIAG_LIST_INIT;
    struct outset out = OUTSET_INIT;
    struct build_opts opts = {.jobs = jobs};
    if (catalog_load(&cat, catpath, &dl))
        fail_msg("catalog: %s", dl.nr ? dl.v[0].msg : "?");
    int rc = build_compile(&cat, &opts, &out, &dl);
    assert_int_equal(rc, missing_ok ? -2 : -1);
    struct strbuf sb = STRBUF_INIT;
    strbuf_addf(&sb, "rc %d\n", rc);
    diag_sort(&dl);
    for (size_t i = 0; i < dl.nr; i++)
        strbuf_addf(&sb, "%u:%u %s\n", dl.v[i].loc.line, dl.v[i].loc.col, dl.v[i].msg);
    for (size_t i = 0; i < out.nr; i++) {
        strbuf_addf(&sb, "== %s\n", out.v[i].path);
        strbuf_add(&sb, out.v[i].data, out.v[i].len);
    }
    outset_release(&out);
    diag_release(&dl);
    catalog_release(&cat);
    return strbuf_detach(&sb, NULL);
}

/* Compiling on several threads gives the bytes and diagnostics of one thread. */
static void test_build_parallel_compile_is_deterministic(void **state)
{
    (void)state;
    char *catpath = write_mixed_catalog();
    char *one = compile_text(catpath, 1, true);
    assert_non_null(strstr(one, "wf_01"));    /* earlier workflows' outputs are kept */
    assert_null(strstr(one, "== iam/wf_20")); /* nothing after the unreadable one */
    for (unsigned jobs = 2; jobs <= 8; jobs *= 2) {
        char *many = compile_text(catpath, jobs, true);
        assert_string_equal(many, one);
        free(many);
    }
    /* With a readable file there, every workflow compiles: errors and outputs. */
    char *def = fs_join(dir, "mixed/definitions/wf_13.asl.yaml");
    static const char good[] = "StartAt: A\nStates:\n  A: { Type: Succeed }\n";
    assert_int_equal(rmdir(def), 0);
    assert_int_equal(fs_write_atomic(def, good, strlen(good)), 0);
    char *serial = compile_text(catpath, 1, false);
    char *parallel = compile_text(catpath, 4, false);
    assert_non_null(strstr(serial, "Nowhere"));
    assert_string_equal(parallel, serial);
    free(def);
    free(serial);
    free(parallel);
    free(one);
    free(catpath);
}

/* Into a missing folder (named with a trailing '/'), the tree appears by one rename. */
static void test_build_write_fresh_folder(void **state)
{
    (void)state;
    char *out = path_in("fresh/");
    struct outset set = OUTSET_INIT;
    add(&set, "iam/a.json", "1\n");
    add(&set, "b.json", "2\n");
    outset_sort(&set);
    assert_int_equal(build_write(out, &set), 0);
    char *a = path_in("fresh/iam/a.json");
    assert_true(fs_same_content(a, "1\n", 2));
    char *cmd = xasprintf("test -z \"$(ls -A %s | grep wfgen-new)\" && "
                          "test -f %s/fresh/.wfgen-manifest",
                          dir, dir);
    assert_int_equal(system(cmd), 0);
    outset_release(&set);
    free(cmd);
    free(a);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_write_and_check),
        cmocka_unit_test(test_build_manifest_never_escapes),
        cmocka_unit_test(test_build_write_failure_changes_nothing),
        cmocka_unit_test(test_build_parallel_compile_is_deterministic),
        cmocka_unit_test(test_build_write_fresh_folder),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
