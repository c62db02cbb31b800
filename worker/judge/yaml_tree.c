/* yaml_tree.c — libyaml event stream to a bounded tree (see yaml_tree.h).
 * Events are consumed one by one so a hostile file is refused as soon as it
 * crosses a bound, before any large allocation. */
#include "yaml_tree.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "err.h"
#include "pkgfs.h"

static struct yt_node *node_new(yt_type t, unsigned line) {
  struct yt_node *n = calloc(1, sizeof *n);
  if (n) {
    n->type = t;
    n->line = line;
  }
  return n;
}

void yt_free(struct yt_node *n) {
  if (!n)
    return;
  for (size_t i = 0; i < n->n; i++) {
    if (n->keys)
      free(n->keys[i]);
    yt_free(n->kids[i]);
  }
  free(n->keys);
  free(n->key_lines);
  free(n->kids);
  free(n->str);
  free(n);
}

static int push_kid(struct yt_node *p, char *key, unsigned key_line, struct yt_node *kid) {
  if (p->n == p->cap) {
    size_t nc = p->cap ? p->cap * 2 : 4;
    struct yt_node **k = realloc(p->kids, nc * sizeof *k);
    if (!k)
      return -1;
    p->kids = k;
    if (p->type == YT_MAP) {
      char **ks = realloc(p->keys, nc * sizeof *ks);
      if (!ks)
        return -1;
      p->keys = ks;
      unsigned *kl = realloc(p->key_lines, nc * sizeof *kl);
      if (!kl)
        return -1;
      p->key_lines = kl;
    }
    p->cap = nc;
  }
  if (p->type == YT_MAP) {
    p->keys[p->n] = key;
    p->key_lines[p->n] = key_line;
  }
  p->kids[p->n++] = kid;
  return 0;
}

struct frame {
  struct yt_node *node;
  char *pending_key; /* map: key read, value not yet */
  unsigned pending_line;
};

int yt_load_buf(const char *buf, size_t len, const char *name, struct yt_node **out, char *err,
                size_t errlen) {
  *out = NULL;
  if (len > YT_MAX_FILE)
    return jp_err(err, errlen, "%s: too large (%zu bytes, at most %u)", name, len, YT_MAX_FILE);
  yaml_parser_t p;
  if (!yaml_parser_initialize(&p))
    return jp_err(err, errlen, "%s: cannot initialise the YAML parser", name);
  yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);

  struct frame st[YT_MAX_DEPTH + 1];
  int depth = 0; /* frames in use */
  struct yt_node *root = NULL;
  size_t nodes = 0;
  int docs = 0, rc = -1, done = 0;

  while (!done) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&p, &ev)) {
      jp_err(err, errlen, "%s:%zu: invalid YAML: %s", name, p.problem_mark.line + 1,
             p.problem ? p.problem : "parse error");
      goto out;
    }
    unsigned line = (unsigned)ev.start_mark.line + 1;
    yaml_event_type_t type = ev.type;
    struct yt_node *nn = NULL;
    int opens = 0;
    switch (ev.type) {
    case YAML_STREAM_END_EVENT:
      done = 1;
      break;
    case YAML_DOCUMENT_START_EVENT:
      if (++docs > 1) {
        jp_err(err, errlen, "%s:%u: more than one YAML document", name, line);
        yaml_event_delete(&ev);
        goto out;
      }
      break;
    case YAML_ALIAS_EVENT:
      jp_err(err, errlen, "%s:%u: YAML aliases are not allowed here", name, line);
      yaml_event_delete(&ev);
      goto out;
    case YAML_SCALAR_EVENT:
      if (ev.data.scalar.length > YT_MAX_SCALAR) {
        jp_err(err, errlen, "%s:%u: value too long (%zu bytes, at most %u)", name, line,
               ev.data.scalar.length, YT_MAX_SCALAR);
        yaml_event_delete(&ev);
        goto out;
      }
      if (depth > 0 && st[depth - 1].node->type == YT_MAP && !st[depth - 1].pending_key) {
        /* a key */
        char *k = strndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
        if (!k) {
          jp_err(err, errlen, "%s: out of memory", name);
          yaml_event_delete(&ev);
          goto out;
        }
        if (yt_get(st[depth - 1].node, k)) {
          jp_err(err, errlen, "%s:%u: duplicate key '%.64s'", name, line, k);
          free(k);
          yaml_event_delete(&ev);
          goto out;
        }
        st[depth - 1].pending_key = k;
        st[depth - 1].pending_line = line;
        yaml_event_delete(&ev);
        continue;
      }
      nn = node_new(YT_SCALAR, line);
      if (nn && !(nn->str = strndup((const char *)ev.data.scalar.value, ev.data.scalar.length))) {
        free(nn);
        nn = NULL;
      }
      break;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
      if (depth > 0 && st[depth - 1].node->type == YT_MAP && !st[depth - 1].pending_key) {
        jp_err(err, errlen, "%s:%u: complex mapping keys are not supported", name, line);
        yaml_event_delete(&ev);
        goto out;
      }
      if (depth >= YT_MAX_DEPTH) {
        jp_err(err, errlen, "%s:%u: nested too deeply (more than %d levels)", name, line, YT_MAX_DEPTH);
        yaml_event_delete(&ev);
        goto out;
      }
      nn = node_new(type == YAML_MAPPING_START_EVENT ? YT_MAP : YT_SEQ, line);
      opens = 1;
      break;
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
      if (depth > 0)
        depth--;
      break;
    default:
      break;
    }
    yaml_event_delete(&ev);
    if (!nn && (type == YAML_SCALAR_EVENT || opens)) {
      jp_err(err, errlen, "%s: out of memory", name);
      goto out;
    }
    if (nn) {
      if (++nodes > YT_MAX_NODES) {
        jp_err(err, errlen, "%s:%u: too many YAML nodes (at most %d)", name, line, YT_MAX_NODES);
        yt_free(nn);
        goto out;
      }
      if (depth == 0) {
        if (root) {
          yt_free(nn);
          jp_err(err, errlen, "%s:%u: unexpected second top-level value", name, line);
          goto out;
        }
        root = nn;
      } else {
        struct frame *f = &st[depth - 1];
        char *k = f->pending_key;
        f->pending_key = NULL;
        if (push_kid(f->node, k, f->pending_line, nn) < 0) {
          free(k);
          yt_free(nn);
          jp_err(err, errlen, "%s: out of memory", name);
          goto out;
        }
      }
      if (opens) {
        st[depth].node = nn;
        st[depth].pending_key = NULL;
        depth++;
      }
    }
  }
  if (!root)
    root = node_new(YT_MAP, 1);
  if (!root) {
    jp_err(err, errlen, "%s: out of memory", name);
    goto out;
  }
  *out = root;
  root = NULL;
  rc = 0;
out:
  for (int i = 0; i < depth && i <= YT_MAX_DEPTH; i++)
    free(st[i].pending_key);
  yt_free(root);
  yaml_parser_delete(&p);
  return rc;
}

int yt_load_file(const char *path, struct yt_node **out, char *err, size_t errlen) {
  char *buf;
  size_t len;
  *out = NULL;
  if (fs_read_file(path, YT_MAX_FILE, &buf, &len, err, errlen) < 0)
    return -1;
  int rc = yt_load_buf(buf, len, path, out, err, errlen);
  free(buf);
  return rc;
}

const struct yt_node *yt_get(const struct yt_node *n, const char *key) {
  if (!n || n->type != YT_MAP)
    return NULL;
  for (size_t i = 0; i < n->n; i++)
    if (!strcmp(n->keys[i], key))
      return n->kids[i];
  return NULL;
}

const char *yt_str(const struct yt_node *n) {
  return n && n->type == YT_SCALAR ? n->str : NULL;
}

int yt_double(const struct yt_node *n, const char *file, const char *what, double *out, char *err,
              size_t errlen) {
  const char *s = yt_str(n);
  if (!s)
    return jp_err(err, errlen, "%s:%u: %s must be a number", file, n ? n->line : 0, what);
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  while (*end == ' ')
    end++;
  if (end == s || *end || errno == ERANGE || !isfinite(v))
    return jp_err(err, errlen, "%s:%u: %s must be a number, not '%.64s'", file, n->line, what, s);
  *out = v;
  return 0;
}

int yt_bool(const struct yt_node *n, const char *file, const char *what, int *out, char *err,
            size_t errlen) {
  const char *s = yt_str(n);
  if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1"))) {
    *out = 1;
    return 0;
  }
  if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0"))) {
    *out = 0;
    return 0;
  }
  return jp_err(err, errlen, "%s:%u: %s must be true or false", file, n ? n->line : 0, what);
}
