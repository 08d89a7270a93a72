/*
 * engine-harness.h: runs the real engine with the real modules (ipa_atest,
 * ipa_db_memory) on a virtual clock, so that tests go through months in
 * milliseconds.
 *
 * Configuration texts may say @DIR@ for the test's temporary directory,
 * where the harness puts the database file (@DIR@/db), the traces
 * (@DIR@/ac.trace, @DIR@/db.trace) and the atest control file
 * (@DIR@/control).
 */
#pragma once

#include <glib.h>

#include "ipa-engine.h"

G_BEGIN_DECLS

typedef struct {
  IpaEngineEventType type;
  int priority;
  gint64 wall;
  char *rule, *limit, *threshold, *sublimit, *module, *message;
} HarnessEvent;

typedef struct {
  char *dir;
  IpaClock *clock;
  IpaExecRunner *runner;
  IpaEngine *engine;
  GPtrArray *events;       /* HarnessEvent* */
  GPtrArray *strings;      /* paths handed out by harness_path */
  gboolean started;
  gint64 stall_usec;       /* 0: the engine's default */
} Harness;

/* A harness whose virtual clock shows @local ("YYYY-MM-DD HH:MM:SS" in
 * the process TZ). */
Harness *harness_new (const char *local);
void harness_free (Harness *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Harness, harness_free)

/* "YYYY-MM-DD HH:MM:SS" local -> wall; aborts on a bad text. */
gint64 harness_wall (const char *local);
/* wall -> "YYYY-MM-DD HH:MM:SS" local (static buffer). */
const char *harness_local (gint64 wall);

/* Load modules and the configuration (with @DIR@ replaced), start the
 * engine (IPA_ENGINE_START_STARTUP) and run the first dispatch. */
gboolean harness_start (Harness *h, const char *conf_text, GError **error);
/* The same, keeping the harness's directory: a restart of the daemon. */
gboolean harness_restart (Harness *h, const char *conf_text, gboolean shutdown,
                          GError **error);
/* A reload (SIGHUP): snapshot, stop without shutdown, start anew. */
gboolean harness_reload (Harness *h, const char *conf_text, GError **error);
void harness_stop (Harness *h, gboolean shutdown);

/* Let virtual time pass until @wall (both clocks move), dispatching
 * whenever the engine asked to, and running asynchronous commands to
 * completion as they come. */
void harness_run_until (Harness *h, gint64 wall);
void harness_advance (Harness *h, gint64 seconds);
/* Step the wall clock alone by @seconds (may be negative), then dispatch. */
void harness_step_wall (Harness *h, gint64 seconds);
/* Wait (really) for asynchronous commands to finish. */
void harness_wait_commands (Harness *h);

/* A path inside the harness directory, owned by the harness. */
const char *harness_path (Harness *h, const char *name);
/* The file's content, "" when missing. */
char *harness_read (Harness *h, const char *name);
/* Append a line to the atest control file. */
void harness_control (Harness *h, const char *line);

/* Lines of the db_memory file starting with "@kind " for @name (the
 * second field), e.g. harness_db_lines (h, "record", "r1"). */
GPtrArray *harness_db_lines (Harness *h, const char *kind, const char *name);
/* The value of "key=value" in a db_memory line, or NULL. */
char *harness_field (const char *line, const char *key);
/* Lines of a trace file that start with @prefix. */
GPtrArray *harness_trace (Harness *h, const char *file, const char *prefix);

guint harness_count_events (Harness *h, IpaEngineEventType type, const char *rule);
const HarnessEvent *harness_last_event (Harness *h, IpaEngineEventType type);

/* Sum of the counters of all records of @rule in the database file. */
guint64 harness_db_total (Harness *h, const char *rule);

G_END_DECLS
