/* Whole-file reads and atomic writes; the only place that creates files. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "base/fsutil.h"

#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 8192, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        errno = EIO;
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return 0;
}

bool fs_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int fs_mkdir_p(const char *dir)
{
    char *p = xstrdup(dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777);
    free(p);
    return rc && errno != EEXIST ? -1 : 0;
}

bool fs_same_content(const char *path, const void *data, size_t len)
{
    char *old;
    size_t oldlen;
    if (fs_read_file(path, &old, &oldlen))
        return false;
    bool same = oldlen == len && memcmp(old, data, len) == 0;
    free(old);
    return same;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/*
 * mkdir -p, remembering the folders already made: a build writes tens of thousands of
 * files into a few folders, from several threads at once.
 */
static int ensure_dir_of(const char *path)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static char *known[16];
    static size_t nknown, next;
    char *dir = fs_dirname(path);
    int rc = 0;
    pthread_mutex_lock(&lock);
    size_t i = 0;
    while (i < nknown && strcmp(known[i], dir))
        i++;
    if (i == nknown) {
        rc = fs_mkdir_p(dir);
        if (!rc) {
            free(known[next]);
            known[next] = dir;
            dir = NULL;
            next = (next + 1) % ARRAY_SIZE(known);
            nknown += nknown < ARRAY_SIZE(known);
        }
    }
    pthread_mutex_unlock(&lock);
    free(dir);
    return rc;
}

/*
 * Creates `name` (which must not exist) beside `path`, making path's folder when
 * needed, and writes the bytes. No fsync: a rename or a folder rename makes each
 * update atomic for every reader, and a build is cheap to repeat after a power loss;
 * syncing 40,000 files would dominate a build.
 */
static int create_file(const char *path, const char *name, const void *data, size_t len)
{
    if (ensure_dir_of(path))
        return -1;
    int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == ENOENT) { /* a remembered folder was removed since */
        char *dir = fs_dirname(path);
        if (fs_mkdir_p(dir) == 0)
            fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        free(dir);
    }
    if (fd < 0)
        return -1;
    int saved = write_all(fd, data, len) ? errno : 0;
    if (close(fd) && !saved)
        saved = errno;
    if (saved) {
        unlink(name);
        errno = saved;
        return -1;
    }
    return 0;
}

int fs_write_temp(const char *path, const void *data, size_t len, char **tmp_out)
{
    /* One temporary per destination and process: the pid makes the name unique. */
    char *tmp = xasprintf("%s.wfgen-tmp-%ld", path, (long)getpid());
    int rc = create_file(path, tmp, data, len);
    if (rc && errno == EEXIST && unlink(tmp) == 0) /* left by a killed build */
        rc = create_file(path, tmp, data, len);
    if (rc) {
        int saved = errno;
        free(tmp);
        errno = saved;
        return -1;
    }
    *tmp_out = tmp;
    return 0;
}

int fs_write_new(const char *path, const void *data, size_t len)
{
    return create_file(path, path, data, len);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int fs_remove_tree(const char *dir)
{
    return nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int fs_write_atomic(const char *path, const void *data, size_t len)
{
    char *tmp;
    if (fs_write_temp(path, data, len, &tmp))
        return -1;
    int rc = rename(tmp, path);
    int saved = errno;
    if (rc)
        unlink(tmp);
    free(tmp);
    errno = saved;
    return rc;
}

char *fs_join(const char *a, const char *b)
{
    if (b[0] == '/' || !a[0] || !strcmp(a, "."))
        return xstrdup(b);
    size_t n = strlen(a);
    return xasprintf("%s%s%s", a, a[n - 1] == '/' ? "" : "/", b);
}

char *fs_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

char *fs_definition_stem(const char *path)
{
    static const char *const exts[] = {".asl.json", ".asl.yaml", ".asl.yml",
                                       ".json",     ".yaml",     ".yml"};
    const char *base = strrchr(path, '/');
    char *s = xstrdup(base ? base + 1 : path);
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t l = strlen(s), e = strlen(exts[i]);
        if (l > e && !strcmp(s + l - e, exts[i])) {
            s[l - e] = '\0';
            break;
        }
    }
    return s;
}

void fs_prune_empty_dirs(const char *path, const char *stop)
{
    char *dir = fs_dirname(path);
    while (strcmp(dir, stop) && strcmp(dir, ".") && strcmp(dir, "/")) {
        if (rmdir(dir))
            break;
        char *up = fs_dirname(dir);
        free(dir);
        dir = up;
    }
    free(dir);
}
