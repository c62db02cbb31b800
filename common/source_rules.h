/* source_rules.h — what the judging engine accepts of a submission's
 * source files, defined once: the engine (worker/judge/engine.c) enforces
 * it when it judges, the broker at SUBMIT, so a submission the broker
 * acknowledges is never refused by every worker in turn and ended IE. */
#ifndef JP_SOURCE_RULES_H
#define JP_SOURCE_RULES_H

#define JP_SOURCE_MAX_BYTES (4u << 20) /* bytes in one source file */

/* 1 if name is acceptable as a file name in the box work dir:
 * [A-Za-z0-9._+-], not starting with '.', 1-100 bytes. */
int jp_safe_name(const char *name);

#endif
