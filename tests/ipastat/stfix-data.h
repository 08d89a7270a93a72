/*
 * stfix-data.h: the fixed statistics of the ipastat tests, shared by the
 * statistics module ipa_test_stfix (which returns them) and gdbm-fixture
 * (which writes them through ipa_db_gdbm), so that ipastat must print the
 * same through both.
 *
 * Local dates, as a database keeps them: records over 2023-12-31 …
 * 2024-10-27 with month and year ends, the leap day 2024-02-29, the DST
 * days of Europe/Kyiv (2024-03-31, 23 hours; 2024-10-27, 25 hours) and
 * counters of 2^64 - 1; limits with several lives; a threshold with a
 * state and one without.  The last life of a limit is its current state.
 */
#ifndef STFIX_DATA_H
#define STFIX_DATA_H

#include <stdint.h>


typedef struct {
  unsigned int year, mon, mday, h1, m1, s1, h2, m2, s2;
  uint64_t cnt;
} Rec;

typedef struct {
  const char *name;
  const char *info;
  const Rec *recs;
  unsigned int nrecs;
} RuleData;

#define D(y, mo, d, a, b, c, e, f, g, n) { y, mo, d, a, b, c, e, f, g, n }

static const Rec lan_in_recs[] = {
  D (2023, 12, 31, 0, 0, 0, 23, 59, 59, 1000),
  D (2024, 1, 1, 0, 0, 0, 23, 59, 59, 2000),
  D (2024, 1, 31, 0, 0, 0, 23, 59, 59, 3100),
  D (2024, 2, 1, 0, 0, 0, 12, 0, 0, 1024),
  D (2024, 2, 28, 8, 0, 0, 20, 0, 0, 1536),
  D (2024, 2, 29, 0, 0, 0, 23, 59, 59, 1048576),
  D (2024, 3, 1, 0, 0, 0, 23, 59, 59, 5000),
  D (2024, 3, 30, 0, 0, 0, 23, 59, 59, 6000),
  /* 2024-03-31 in Europe/Kyiv: 03:00 does not exist (23-hour day). */
  D (2024, 3, 31, 0, 0, 0, 2, 59, 59, 700),
  D (2024, 3, 31, 4, 0, 0, 23, 59, 59, 7000),
  D (2024, 4, 1, 0, 0, 0, 0, 10, 0, 10),
  D (2024, 4, 30, 23, 50, 0, 23, 59, 59, 30),
  /* 2024-10-27 in Europe/Kyiv: 03:00-04:00 happens twice (25 hours). */
  D (2024, 10, 27, 0, 0, 0, 23, 59, 59, 25000),
};

static const Rec lan_out_recs[] = {
  D (2024, 3, 1, 0, 0, 0, 23, 59, 59, 300),
  D (2024, 3, 15, 10, 0, 0, 11, 0, 0, 1073741824),
  D (2024, 3, 31, 0, 0, 0, 23, 59, 59, 1610612736),
};

static const Rec host_a_recs[] = {
  D (2024, 3, 10, 8, 0, 0, 9, 0, 0, 60),
  D (2024, 3, 11, 8, 0, 0, 9, 0, 0, 3600),
};

static const Rec host_b_recs[] = {
  D (2024, 3, 10, 0, 0, 0, 23, 59, 59, 90061),
};

static const Rec big_recs[] = {
  D (2024, 3, 1, 0, 0, 0, 23, 59, 59, UINT64_MAX),
  D (2024, 3, 2, 0, 0, 0, 23, 59, 59, UINT64_MAX),
};

#define RULE(n, i, r) { n, i, r, sizeof r / sizeof r[0] }
static const RuleData rules[] = {
  RULE ("lan_in", "LAN inbound traffic", lan_in_recs),
  RULE ("lan_out", NULL, lan_out_recs),
  RULE ("host_a", "Host A, seconds online", host_a_recs),
  RULE ("host_b", "Host B", host_b_recs),
  RULE ("big", "Counters near 2^64", big_recs),
  { "empty", "No records", NULL, 0 },
};
#define STFIX_ALL_RULES (sizeof rules / sizeof rules[0])

typedef struct {
  int year, mon, mday, hour, min, sec;
} Date;

typedef struct {
  uint64_t lim, cnt;
  Date ev[IPA_LIMIT_EVENT_NUM]; /* year 0: not set */
} Life;

typedef struct {
  const char *rule;
  const char *name;
  const char *info;
  const Life *lives;   /* the last one is the current state */
  unsigned int nlives;
} LimitData;

#define T(y, mo, d, h, mi, s) { y, mo, d, h, mi, s }
#define NO { 0, 0, 0, 0, 0, 0 }

/* ev: start restart restart_exec reach reach_exec expire expire_exec updated */
static const Life monthly_lives[] = {
  { 1073741824, 5120,
    { T (2024, 1, 1, 0, 0, 0), T (2024, 2, 1, 0, 0, 0), T (2024, 2, 1, 0, 0, 5),
      NO, NO, NO, NO, T (2024, 1, 31, 23, 59, 59) } },
  { 1073741824, 1073741824,
    { T (2024, 2, 1, 0, 0, 0), T (2024, 3, 1, 0, 0, 0), T (2024, 3, 1, 0, 0, 2),
      T (2024, 2, 29, 12, 0, 0), T (2024, 2, 29, 12, 0, 1),
      T (2024, 3, 1, 0, 0, 0), T (2024, 3, 1, 0, 0, 3), T (2024, 2, 29, 23, 59, 59) } },
  { 1073741824, 12700,
    { T (2024, 3, 1, 0, 0, 0), T (2024, 4, 1, 0, 0, 0), NO, NO, NO, NO, NO,
      T (2024, 3, 31, 23, 59, 59) } },
};

static const Life daily_lives[] = {
  { 100000, 7700,
    { T (2024, 3, 31, 0, 0, 0), T (2024, 4, 1, 0, 0, 0), NO, NO, NO, NO, NO,
      T (2024, 3, 31, 23, 59, 59) } },
};

static const Life quota_lives[] = {
  { 7200, 3660,
    { T (2024, 3, 10, 0, 0, 0), NO, NO, NO, NO, NO, NO, T (2024, 3, 11, 9, 0, 0) } },
};

static const LimitData limits[] = {
  { "lan_in", "monthly", "Monthly quota", monthly_lives, 3 },
  { "lan_in", "daily", NULL, daily_lives, 1 },
  { "host_a", "quota", "Online time", quota_lives, 1 },
};
#define STFIX_N_LIMITS (sizeof limits / sizeof limits[0])

typedef struct {
  const char *rule;
  const char *name;
  const char *info;
  int has_state;
  uint64_t thr, cnt;
  Date from, updated;
} ThresholdData;

static const ThresholdData thresholds[] = {
  { "lan_in", "burst", "Burst detector", 1, 5000, 7000,
    T (2024, 3, 31, 2, 0, 0), T (2024, 3, 31, 4, 0, 0) },
  { "lan_in", "quiet", NULL, 0, 0, 0, NO, NO },
};
#define STFIX_N_THRESHOLDS (sizeof thresholds / sizeof thresholds[0])

#endif /* STFIX_DATA_H */
