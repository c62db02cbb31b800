/* zauth_internal.h — what the zauth_*.c files share and nobody else needs:
 * the ZAP domain naming convention and the metadata property names. */
#ifndef JP_ZAUTH_INTERNAL_H
#define JP_ZAUTH_INTERNAL_H

#include <stddef.h>

#include "zauth.h"

#define JP_ZAP_DOMAIN_PREFIX "judgepool/"
#define JP_ZAP_PROP_KEY "X-Key"   /* the peer's Z85 public key */
#define JP_ZAP_PROP_NAME "X-Name" /* its name in the keys file */

/* "judgepool/client+admin" -> JP_ROLE_CLIENT | JP_ROLE_ADMIN; 0 if bad. */
unsigned jp_zap_domain_roles(const char *d, size_t n);
/* 0 when z85 is in the current table with exactly this role (out filled). */
int jp_zap_check_key(struct jp_zap *z, const char *z85, unsigned role, struct jp_keyent *out);

#endif
