/* samples.c — valid messages of every type, with non-default values in
 * every field so a round trip that dropped one would be noticed. */
#include "samples.h"

#include <stdio.h>
#include <stdlib.h>

#define H1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define H3 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct jp_file_ref files[] = {
    {"problem.yaml", H1, 120},
    {"data/secret/01.in", H2, 1u << 20},
    {"output_validators/check/check.cpp", H3, 4096},
};
static const uint8_t main_c[] = "#include <stdio.h>\nint main(void){puts(\"hi\");}\n";
static const uint8_t blob_bytes[] = {0, 1, 2, 3, 0xff, 0xc1, 0xdf, 0};
static const struct jp_source sources[] = {
    {"main.c", {main_c, sizeof main_c - 1}},
    {"lib/util.h", {blob_bytes, sizeof blob_bytes}},
};
static const struct jp_test_result tests[] = {
    {"01", "sample", JP_V_AC, 12, 15, 2048, 0, 0, "", "", 1},
    {"02", "secret", JP_V_SV, 1, 2, 512, -1, 31, "socket", "forbidden syscall socket", 0},
    {"03", "secret", JP_V_TLE, 2000, 2004, 1ull << 33, -1, 9, "", "time limit", 0.5},
};
static const char *const hashes[] = {H1, H2, H3};
static const char *const langs[] = {"c", "cpp", "python3", "java"};
static const uint64_t leases[] = {7, 0x1122334455667788ull, UINT64_MAX};

#define RESULT_FULL                                                                     \
  {JP_V_TLE, 0.75, {true, "warning: unused variable", 321}, tests, 3, 2000, 1ull << 33, true}

static const struct jp_msg samples[] = {
    {.type = JP_MSG_SUBMIT, .rid = 1,
     .u.submit = {"contest-42:team7.123", {H1, files, 3}, "c", sources, 2, JP_PRIO_CONTEST,
                  {true, false}, false}},
    {.type = JP_MSG_SUBMIT, .rid = 2, /* broker-assigned id, defaults */
     .u.submit = {"", {H2, NULL, 0}, "python3", sources, 1, JP_PRIO_BULK, {false, false}, false}},
    {.type = JP_MSG_SUBMIT, .rid = 26, /* every test, and watched on this connection */
     .u.submit = {"s-14", {H2, NULL, 0}, "cpp", sources, 1, JP_PRIO_NORMAL, {false, true}, true}},
    {.type = JP_MSG_BLOB_HAVE, .rid = 3, .u.blob_have = {hashes, 3}},
    {.type = JP_MSG_BLOB_PUT, .rid = 4, .u.blob_put = {H2, {blob_bytes, sizeof blob_bytes}}},
    {.type = JP_MSG_RESULT_GET, .rid = 5, .u.result_get = {"s-1"}},
    {.type = JP_MSG_CANCEL, .rid = 6, .u.cancel = {"s-2"}},
    {.type = JP_MSG_STATUS, .rid = 7, .u.status = {""}},
    {.type = JP_MSG_ACK, .rid = 8, .u.ack = {"s-3", true, true}},
    {.type = JP_MSG_ERROR, .rid = 9, .u.error = {JP_E_QUEUE_FULL, "queue full: 10000 waiting"}},
    {.type = JP_MSG_RESULT, .rid = 10,
     .u.result = {"s-4", JP_ST_DONE, true, true, RESULT_FULL}},
    {.type = JP_MSG_RESULT, .rid = 11, .u.result = {"s-5", JP_ST_QUEUED, false, false, {0}}},
    {.type = JP_MSG_STATUS_REPLY, .rid = 12,
     .u.status_reply = {"s-6", JP_ST_RUNNING, 2, 17, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0}},
    /* pool status: the queue by priority and the throughput fields */
    {.type = JP_MSG_STATUS_REPLY, .rid = 12,
     .u.status_reply = {"", JP_ST_UNKNOWN, 0, 9, 3, 4, 5, 1, 6, 0, 2, 16, 123456789012ull, 41.5, 1}},
    {.type = JP_MSG_BLOBS_MISSING, .rid = 13, .u.blobs_missing = {hashes + 1, 2}},
    {.type = JP_MSG_REGISTER, .rid = 14, .u.reg = {"worker-a", 2, langs, 4}},
    {.type = JP_MSG_HEARTBEAT, .rid = 15, .u.heartbeat = {.free_slots = 1, .epoch = 0x1122334455667788ull, .has_leases = true,
                                                      .leases = leases, .nleases = 3}},
    {.type = JP_MSG_PROGRESS, .rid = 16,
     .u.progress = {"s-7", 99, 1, {"02", "secret", JP_V_WA, 5, 6, 700, 0, 0, "", "line 3", 0}, 14}},
    {.type = JP_MSG_JOB_RESULT, .rid = 17, .u.job_result = {"s-8", 100, RESULT_FULL}},
    {.type = JP_MSG_BLOB_GET, .rid = 18, .u.blob_get = {H3}},
    {.type = JP_MSG_JOB, .rid = 19,
     .u.job = {101, 2,
               {"s-9", {H1, files, 3}, "cpp", sources, 2, JP_PRIO_REJUDGE, {false, true}, false}}},
    {.type = JP_MSG_RESULT_ACK, .rid = 20, .u.result_ack = {"s-10", 102}},
    {.type = JP_MSG_BLOB, .rid = 21, .u.blob = {H1, true, {blob_bytes, sizeof blob_bytes}}},
    {.type = JP_MSG_BLOB, .rid = 22, .u.blob = {H2, false, {NULL, 0}}},
    {.type = JP_MSG_CANCEL_JOB, .rid = 23, .u.cancel_job = {"s-11", 103}},
    {.type = JP_MSG_EVENT, .rid = 0,
     .u.event = {"s-12", JP_EV_TEST, 1, true, 2,
                 {"03", "secret", JP_V_TLE, 2000, 2004, 100, -1, 9, "", "", 0.25}, JP_V_NONE, 0, 14}},
    {.type = JP_MSG_EVENT, .rid = 0,
     .u.event = {"s-13", JP_EV_DONE, 1, false, 0, {0}, JP_V_AC, 100.0, 0}},
    {.type = JP_MSG_DRAIN, .rid = 24, .u.drain = {"worker-a", false}},
    {.type = JP_MSG_DRAIN, .rid = 25, .u.drain = {"w2.example:7", true}},
    {.type = JP_MSG_WATCH, .rid = 27, .u.watch = {"s-15"}},
};

size_t sample_count(void) { return sizeof samples / sizeof samples[0]; }
const struct jp_msg *sample(size_t i) { return &samples[i]; }

void sample_encode(size_t i, void **buf, size_t *len) {
  char err[256];
  if (jp_msg_encode(&samples[i], buf, len, err, sizeof err) < 0) {
    fprintf(stderr, "sample %zu does not encode: %s\n", i, err);
    abort();
  }
}
