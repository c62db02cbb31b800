/* jpclient_submit.c — submissions, results, status, cancel, and the
 * all-in-one jpc_judge. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "readfile.h"
#include "jpclient_internal.h"

struct loaded {
  struct jp_source src[JP_PROTO_MAX_SOURCES];
  void *bufs[JP_PROTO_MAX_SOURCES];
  size_t n;
};

static void unload(struct loaded *l) {
  for (size_t i = 0; i < l->n; i++) free(l->bufs[i]);
  l->n = 0;
}

static int load_sources(const struct jpc_submission *s, struct loaded *l, char *err, size_t errlen) {
  l->n = 0;
  if (!s->sources && s->contents && s->nsources <= JP_PROTO_MAX_SOURCES) {
    for (size_t i = 0; i < s->nsources; i++) {
      l->src[i] = s->contents[i];
      l->bufs[i] = NULL;
    }
    l->n = s->nsources;
    return 0;
  }
  if (s->nsources == 0 || s->nsources > JP_PROTO_MAX_SOURCES)
    return jp_err(err, errlen, "a submission needs 1-%u source files", JP_PROTO_MAX_SOURCES);
  for (size_t i = 0; i < s->nsources; i++) {
    const char *path = s->sources[i];
    void *data;
    size_t got;
    if (jp_read_file(path, 16 << 20, &data, &got, err, errlen) < 0) {
      unload(l);
      return -1;
    }
    char *b = data;
    const char *base = strrchr(path, '/');
    l->bufs[l->n] = b;
    l->src[l->n].name = base ? base + 1 : path;
    l->src[l->n].content.data = (const uint8_t *)b;
    l->src[l->n].content.len = got;
    l->n++;
  }
  return 0;
}

const char *jpc_lang_for_file(const char *path) {
  static const struct {
    const char *ext, *lang;
  } map[] = {{".c", "c"},       {".cpp", "cpp"},   {".cc", "cpp"},   {".cxx", "cpp"},
             {".py", "python3"}, {".java", "java"}, {".kt", "kotlin"}, {".go", "go"},
             {".rs", "rust"}};
  const char *dot = path ? strrchr(path, '.') : NULL;
  if (!dot || strchr(dot, '/')) return NULL;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (!strcmp(dot, map[i].ext)) return map[i].lang;
  return NULL;
}

static void make_sid(struct jpc *c, char *out) {
  static unsigned seq_counter;
  unsigned seq = __atomic_add_fetch(&seq_counter, 1, __ATOMIC_RELAXED);
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  snprintf(out, JP_PROTO_MAX_SID + 1, "%.40s-%lx%05lx-%d-%u", c->name, (unsigned long)ts.tv_sec,
           (unsigned long)(ts.tv_nsec / 10000), (int)getpid(), seq);
}

static void fill_submit(struct jp_msg *m, const struct jpc_problem *p, const struct jpc_submission *s,
                        const struct loaded *l, const char *sid) {
  memset(m, 0, sizeof *m);
  m->type = JP_MSG_SUBMIT;
  m->u.submit.sid = sid;
  if (p) {
    m->u.submit.problem.hash = p->hash;
    m->u.submit.problem.files = p->files;
    m->u.submit.problem.nfiles = p->nfiles;
  } else {
    /* no package (fake runners, tests): the hash of the empty manifest,
     * sha256 of no bytes */
    m->u.submit.problem.hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  }
  const char *lang = s->lang;
  if (!lang && s->sources && s->nsources) lang = jpc_lang_for_file(s->sources[0]);
  m->u.submit.lang = lang ? lang : "";
  m->u.submit.sources = l->src;
  m->u.submit.nsources = l->n;
  m->u.submit.priority = s->priority;
  m->u.submit.options.stop_at_first_failure = s->stop_at_first_failure != 0;
  m->u.submit.options.all_tests = s->all_tests != 0;
  m->u.submit.watch = s->watch != 0;
}

static int ack_result(struct jp_msg *rep, int *duplicate, char *err, size_t errlen) {
  int rc = 0;
  if (rep->type == JP_MSG_ACK) {
    if (duplicate) *duplicate = rep->u.ack.duplicate;
  } else if (rep->type == JP_MSG_ERROR) {
    rc = jp_err(err, errlen, "%s: %s", jp_errcode_name(rep->u.error.code), rep->u.error.message);
  } else if (rep->type == JP_MSG_BLOBS_MISSING) {
    rc = jp_err(err, errlen, "the broker lacks %zu problem files (upload the problem first)", rep->u.blobs_missing.n);
  } else {
    rc = jp_err(err, errlen, "unexpected %s reply to SUBMIT", jp_msg_type_name(rep->type));
  }
  return rc;
}

int jpc_submit(struct jpc *c, const struct jpc_problem *p, const struct jpc_submission *s, char *sid_out,
               int *duplicate, char *err, size_t errlen) {
  struct loaded l;
  if (load_sources(s, &l, err, errlen) < 0) return -1;
  char sid[JP_PROTO_MAX_SID + 1];
  if (s->sid && *s->sid) snprintf(sid, sizeof sid, "%s", s->sid);
  else make_sid(c, sid);
  struct jp_msg req, rep;
  fill_submit(&req, p, s, &l, sid);
  int rc = jpc_request(c, &req, &rep, err, errlen);
  if (rc == 0 && rep.type == JP_MSG_BLOBS_MISSING && p) {
    /* the broker lost or never had some files: upload, then once more */
    jp_msg_free(&rep);
    rc = jpc_problem_upload(c, (struct jpc_problem *)p, err, errlen);
    if (rc == 0) rc = jpc_request(c, &req, &rep, err, errlen);
  }
  unload(&l);
  if (rc < 0) return -1;
  rc = ack_result(&rep, duplicate, err, errlen);
  if (rc == 0 && sid_out) snprintf(sid_out, JP_PROTO_MAX_SID + 1, "%s", rep.u.ack.sid);
  jp_msg_free(&rep);
  return rc;
}

int jpc_submit_many(struct jpc *c, const struct jpc_problem *p, const struct jpc_submission *s, size_t n,
                    size_t window, char (*sids)[JP_PROTO_MAX_SID + 1], char *err, size_t errlen) {
  if (window < 1) window = 1;
  /* in-flight requests by rid */
  struct slot {
    uint64_t rid;
    size_t idx;
    int64_t sent;
  } *fl = calloc(window, sizeof *fl);
  char *done = calloc(n ? n : 1, 1);
  if (!fl || !done) {
    free(fl);
    free(done);
    return jp_errno(err, errlen, "allocating");
  }
  for (size_t i = 0; i < n; i++) {
    if (s[i].sid && *s[i].sid) snprintf(sids[i], JP_PROTO_MAX_SID + 1, "%s", s[i].sid);
    else make_sid(c, sids[i]);
  }
  size_t next = 0, ndone = 0, inflight = 0;
  int rc = 0;
  int64_t deadline = jpc_now_ms() + c->total_ms;
  int64_t backoff_until = 0;
  while (ndone < n && rc == 0) {
    int64_t now = jpc_now_ms();
    /* fill the window */
    while (inflight < window && now >= backoff_until) {
      size_t idx = n;
      for (size_t k = 0; k < n && idx == n; k++) {
        size_t cand = (next + k) % n;
        int busy = 0;
        for (size_t f = 0; f < window; f++)
          if (fl[f].rid && fl[f].idx == cand) busy = 1;
        if (!done[cand] && !busy) idx = cand;
      }
      if (idx == n) break;
      next = idx + 1;
      struct loaded l;
      if (load_sources(&s[idx], &l, err, errlen) < 0) {
        rc = -1;
        break;
      }
      struct jp_msg req;
      fill_submit(&req, p, &s[idx], &l, sids[idx]);
      int sr = jpc_send(c, &req, err, errlen);
      unload(&l);
      if (sr == -2) {
        rc = -1;
        break;
      }
      if (sr < 0) break; /* retried below after a pause */
      for (size_t f = 0; f < window; f++)
        if (!fl[f].rid) {
          fl[f] = (struct slot){req.rid, idx, now};
          break;
        }
      inflight++;
    }
    if (rc) break;
    struct jp_msg rep;
    char e2[256];
    if (jpc_recv(c, 200, &rep, e2, sizeof e2) == 0) {
      for (size_t f = 0; f < window; f++) {
        if (!fl[f].rid || fl[f].rid != rep.rid) continue;
        size_t idx = fl[f].idx;
        fl[f].rid = 0;
        inflight--;
        if (rep.type == JP_MSG_ACK) {
          done[idx] = 1;
          ndone++;
          deadline = jpc_now_ms() + c->total_ms;
        } else if (rep.type == JP_MSG_ERROR && rep.u.error.code == JP_E_QUEUE_FULL) {
          backoff_until = jpc_now_ms() + 50; /* the broker is busy: wait, resend */
        } else {
          rc = ack_result(&rep, NULL, err, errlen);
        }
        break;
      }
      jp_msg_free(&rep);
    }
    now = jpc_now_ms();
    /* silence: resend what is in flight on a fresh connection */
    int stale = 0;
    for (size_t f = 0; f < window; f++)
      if (fl[f].rid && now - fl[f].sent > c->reply_ms) stale = 1;
    if (stale) {
      if (now > deadline) {
        rc = jp_err(err, errlen, "broker %s stopped answering submissions", c->endpoint);
        break;
      }
      memset(fl, 0, window * sizeof *fl);
      inflight = 0;
      if (jpc_reconnect(c, err, errlen) < 0) rc = -1;
    }
  }
  free(fl);
  free(done);
  return rc;
}

int jpc_result(struct jpc *c, const char *sid, int wait_ms, struct jp_msg *out, char *err, size_t errlen) {
  int64_t until = jpc_now_ms() + (wait_ms > 0 ? wait_ms : 0);
  int delay = 20;
  for (;;) {
    struct jp_msg req = {.type = JP_MSG_RESULT_GET};
    req.u.result_get.sid = sid;
    if (jpc_request(c, &req, out, err, errlen) < 0) return -1;
    if (out->type == JP_MSG_ERROR) {
      jp_err(err, errlen, "%s: %s: %s", sid, jp_errcode_name(out->u.error.code), out->u.error.message);
      jp_msg_free(out);
      return -1;
    }
    if (out->type != JP_MSG_RESULT) {
      jp_err(err, errlen, "unexpected %s reply to RESULT_GET", jp_msg_type_name(out->type));
      jp_msg_free(out);
      return -1;
    }
    if (out->u.result.final) return 1;
    if (wait_ms <= 0 || jpc_now_ms() >= until) return 0;
    jp_msg_free(out);
    struct timespec ts = {0, (long)delay * 1000000};
    nanosleep(&ts, NULL);
    if (delay < 500) delay *= 2;
  }
}

int jpc_status(struct jpc *c, const char *sid, struct jp_msg *out, char *err, size_t errlen) {
  struct jp_msg req = {.type = JP_MSG_STATUS};
  req.u.status.sid = sid ? sid : "";
  if (jpc_request(c, &req, out, err, errlen) < 0) return -1;
  if (out->type == JP_MSG_STATUS_REPLY) return 0;
  if (out->type == JP_MSG_ERROR)
    jp_err(err, errlen, "%s: %s", jp_errcode_name(out->u.error.code), out->u.error.message);
  else
    jp_err(err, errlen, "unexpected %s reply to STATUS", jp_msg_type_name(out->type));
  jp_msg_free(out);
  return -1;
}

int jpc_cancel(struct jpc *c, const char *sid, char *err, size_t errlen) {
  struct jp_msg req = {.type = JP_MSG_CANCEL}, rep;
  req.u.cancel.sid = sid;
  if (jpc_request(c, &req, &rep, err, errlen) < 0) return -1;
  int rc = ack_result(&rep, NULL, err, errlen);
  jp_msg_free(&rep);
  return rc;
}

int jpc_drain(struct jpc *c, const char *worker, int undo, char *err, size_t errlen) {
  struct jp_msg req = {.type = JP_MSG_DRAIN}, rep;
  req.u.drain.worker = worker;
  req.u.drain.undo = undo != 0;
  if (jpc_request(c, &req, &rep, err, errlen) < 0) return -1;
  int rc = ack_result(&rep, NULL, err, errlen);
  jp_msg_free(&rep);
  return rc;
}

int jpc_judge(const char *endpoint, const char *problem_dir, const char *lang, const char *const *sources,
              size_t nsources, enum jp_priority prio, int wait_ms, struct jp_msg *out, char *err,
              size_t errlen) {
  memset(out, 0, sizeof *out);
  struct jpc *c;
  struct jpc_problem *p = NULL;
  if (jpc_open(&c, endpoint, "judge", err, errlen) < 0) return -1;
  int rc = -1;
  char sid[JP_PROTO_MAX_SID + 1];
  struct jpc_submission s = {.lang = lang, .sources = sources, .nsources = nsources, .priority = prio,
                             .stop_at_first_failure = 0};
  if (jpc_problem_scan(problem_dir, &p, err, errlen) == 0 && jpc_problem_upload(c, p, err, errlen) == 0 &&
      jpc_submit(c, p, &s, sid, NULL, err, errlen) == 0) {
    int r = jpc_result(c, sid, wait_ms > 0 ? wait_ms : 0x7fffffff, out, err, errlen);
    if (r == 1) rc = 0;
    else if (r == 0) {
      jp_msg_free(out);
      jp_err(err, errlen, "%s: no verdict within %d ms (it stays queued; 'judge result %s' later)", sid, wait_ms, sid);
    }
  }
  jpc_problem_free(p);
  jpc_close(c);
  return rc;
}
