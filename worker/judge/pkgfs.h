/* pkgfs.h — careful file access for problem packages and submissions:
 * paths resolved inside the package only (symlinks followed only when they
 * stay within it), regular files only (no devices, FIFOs or sockets), every
 * read bounded. */
#ifndef JP_PKGFS_H
#define JP_PKGFS_H

#include <stddef.h>

/* Opens path read-only, refusing anything but a regular file (FIFOs and
 * devices never block or get read). Returns an fd or -1. */
int fs_open_regular(const char *path, char *err, size_t errlen);

/* Reads a whole regular file of at most max bytes into a NUL-terminated
 * malloc'd buffer. */
int fs_read_file(const char *path, size_t max, char **buf, size_t *len,
                 char *err, size_t errlen);

/* Reads at most max bytes (more is cut, not an error) from the start of a
 * file; for compiler output and validator messages. */
int fs_read_prefix(const char *path, size_t max, char *buf, size_t buflen);

/* Resolves rel (relative to the package root `root`, itself a realpath) and
 * checks the result is inside root. out gets the resolved absolute path.
 * Returns 0, 1 when the path does not exist, -1 when it escapes the package
 * or cannot be resolved (err names the path). */
int fs_resolve_in(const char *root, const char *path, char *out, size_t outlen,
                  char *err, size_t errlen);

/* Joins a/b into out, failing on truncation. */
int fs_join(char *out, size_t outlen, const char *a, const char *b, char *err, size_t errlen);

/* rm -r of a directory we created (does not follow symlinks). */
void fs_remove_tree(const char *path);

/* Writes len bytes to path (created 0644, truncated). */
int fs_write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen);

#endif
