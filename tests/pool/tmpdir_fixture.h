/* tmpdir_fixture.h — cmocka setup/teardown giving each test of the unit
 * tests that need files (pool journal and blobstore, security readfile) a
 * fresh directory under /tmp (tmpdir_path), removed after. */
#ifndef JP_TMPDIR_FIXTURE_H
#define JP_TMPDIR_FIXTURE_H

extern char tmpdir_path[64];
int tmpdir_setup(void **state);
int tmpdir_teardown(void **state);

#endif
