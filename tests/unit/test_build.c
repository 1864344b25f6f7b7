/* Unit tests for the output folder: atomic writes, manifest removal, --check. */
#include "helpers.h"

#include "base/fsutil.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_write_and_check),
        cmocka_unit_test(test_build_manifest_never_escapes),
        cmocka_unit_test(test_build_write_failure_changes_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
