/*
 * File-system helpers: whole-file reads, atomic writes (temp file + rename in the same
 * folder), mkdir -p, path joining. Functions return 0 on success and -1 with errno set.
 */
#ifndef WFGEN_FSUTIL_H
#define WFGEN_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Reads a whole file into a new NUL-terminated buffer (caller frees *out). */
int fs_read_file(const char *path, char **out, size_t *len);
/*
 * Writes bytes to a new temporary file beside path (creating parent folders) and
 * returns its name in *tmp (caller frees); rename it over path to publish it.
 */
int fs_write_temp(const char *path, const void *data, size_t len, char **tmp);
/* Writes bytes to path atomically, creating parent folders. */
int fs_write_atomic(const char *path, const void *data, size_t len);
/* Creates path, which must not exist yet (and its folder, if needed); 0 or -1/errno. */
int fs_write_new(const char *path, const void *data, size_t len);
/* Removes a folder and everything below it (links are removed, not followed). */
int fs_remove_tree(const char *dir);
/* True when the file at path exists and holds exactly these bytes. */
bool fs_same_content(const char *path, const void *data, size_t len);
int fs_mkdir_p(const char *dir);
bool fs_exists(const char *path);
/* Returns a new string "a/b" (b as is when absolute or a is empty or "."). */
char *fs_join(const char *a, const char *b);
/* Returns a new string: the folder part of path ("." when none). */
char *fs_dirname(const char *path);
/* Returns a new string: the file name of path without .asl.json/.asl.yaml/.json/... */
char *fs_definition_stem(const char *path);
/* Removes empty parent folders of path up to (not including) stop. */
void fs_prune_empty_dirs(const char *path, const char *stop);

#endif
