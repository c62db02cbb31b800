/* yaml_tree.h — a bounded YAML loader for package and config files: turns
 * one YAML document into a small tree (maps, sequences, scalars) with line
 * numbers for error messages. Hostile input is refused, never expanded:
 * size, depth, node count and scalar length are capped, aliases rejected. */
#ifndef JP_YAML_TREE_H
#define JP_YAML_TREE_H

#include <stddef.h>

#define YT_MAX_FILE (1u << 20) /* 1 MiB */
#define YT_MAX_DEPTH 32
#define YT_MAX_NODES 20000
#define YT_MAX_SCALAR (64u << 10)

typedef enum { YT_SCALAR, YT_MAP, YT_SEQ } yt_type;

struct yt_node {
  yt_type type;
  unsigned line; /* 1-based line where the node starts */
  char *str;     /* YT_SCALAR: NUL-terminated value */
  /* YT_MAP: keys[i] -> kids[i]; YT_SEQ: kids[i] (keys NULL) */
  char **keys;
  unsigned *key_lines;
  struct yt_node **kids;
  size_t n, cap;
};

/* Loads path (a regular file of at most YT_MAX_FILE bytes). An empty file
 * gives an empty map. The message names the file and line. */
int yt_load_file(const char *path, struct yt_node **out, char *err, size_t errlen);
/* Same on a buffer; name is used in messages. */
int yt_load_buf(const char *buf, size_t len, const char *name, struct yt_node **out,
                char *err, size_t errlen);
void yt_free(struct yt_node *n);

/* Map lookup; NULL when absent or n is not a map. */
const struct yt_node *yt_get(const struct yt_node *n, const char *key);
/* Scalar string or NULL if n is NULL or not a scalar. */
const char *yt_str(const struct yt_node *n);

/* Typed scalars: 0 ok, -1 with a message "<name>:<line>: <what> ...". */
int yt_double(const struct yt_node *n, const char *file, const char *what, double *out,
              char *err, size_t errlen);
int yt_bool(const struct yt_node *n, const char *file, const char *what, int *out,
            char *err, size_t errlen);

#endif
