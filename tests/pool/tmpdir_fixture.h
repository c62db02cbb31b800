/* tmpdir_fixture.h — fresh directories under /tmp for the unit tests that
 * need files: cmocka setup/teardown giving each test its own (tmpdir_path,
 * removed after: pool journal and blobstore, security readfile), and the
 * two steps for tests that make their own (security keys and CURVE). */
#ifndef JP_TMPDIR_FIXTURE_H
#define JP_TMPDIR_FIXTURE_H

#include <stddef.h>

/* Makes /tmp/jp-test-XXXXXX into buf (len >= 24). 0, or -1 (errno set). */
int tmpdir_make(char *buf, size_t len);
/* Removes dir and everything under it. 0 or -1. */
int tmpdir_remove(const char *dir);

extern char tmpdir_path[64];
int tmpdir_setup(void **state);
int tmpdir_teardown(void **state);

#endif
