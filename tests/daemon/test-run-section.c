/*
 * test-run-section.c: ipa -x, finding a section and running its commands
 * (src/ipa/ipa-run-section.c).
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ipa-conf.h"
#include "ipa-log.h"
#include "ipa-module.h"
#include "ipa-run-section.h"

typedef struct {
  char *dir;
  char *out;            /* every command appends a line here */
  IpaModuleSet *modules;
  IpaConf *conf;
} Fixture;

/* Each command writes "TAG rule=… limit=… sublimit=… threshold=… event=…"
 * from its environment. */
#define CMD(tag) "exec \"echo " tag " rule=$IPA_RULE limit=$IPA_LIMIT " \
                 "sublimit=$IPA_SUBLIMIT threshold=$IPA_THRESHOLD event=$IPA_EVENT >> OUT\";"

static const char conf_text[] =
  "startup { " CMD ("g-startup") " " CMD ("g-startup-2") " }\n"
  "shutdown { " CMD ("g-shutdown") " }\n"
  "rule r1 {\n"
  "  startup { " CMD ("r-startup")
  "    if_any_reached { " CMD ("r-startup-any") " } }\n"
  "  shutdown { if_all_not_reached { " CMD ("r-shutdown-allnot") " } }\n"
  "  limit l1 {\n"
  "    limit = 1M;\n"
  "    restart { restart = +D; " CMD ("l-restart") " }\n"
  "    reach { " CMD ("l-reach") " }\n"
  "    expire { expire = +D; " CMD ("l-expire") " }\n"
  "    sublimit 90% { reach { " CMD ("s-reach") " } }\n"
  "    sublimit 512K { expire { expire = +h; " CMD ("s512-expire") " } }\n"
  "    startup { if_reached { " CMD ("l-startup-reached") " } }\n"
  "  }\n"
  "  limit l2 { limit = 2M; reach { exec \"exit 3\"; " CMD ("l2-after-failure") " } }\n"
  "  threshold t1 {\n"
  "    threshold = 1G;\n"
  "    above_threshold { " CMD ("t-above") " }\n"
  "    below_threshold { }\n"
  "  }\n"
  "}\n";

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (conf_text);

  f->dir = g_dir_make_tmp ("test-run-section-XXXXXX", &error);
  g_assert_no_error (error);
  f->out = g_build_filename (f->dir, "out", NULL);
  g_string_replace (text, "OUT", f->out, 0);
  f->modules = ipa_module_set_new ();
  f->conf = ipa_conf_load_data ("x.conf", text->str, f->modules, IPA_CONF_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->conf);
  /* Command output lines are logged; keep the test output clean. */
  ipa_log_init ("ipa", IPA_LOG_TARGET_STDERR);
  ipa_log_set_max_priority (LOG_ERR);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  ipa_conf_modules_deinit_chain (f->conf);
  ipa_conf_free (f->conf);
  ipa_module_set_free (f->modules);
  g_unlink (f->out);
  g_rmdir (f->dir);
  g_free (f->out);
  g_free (f->dir);
}

static char *
take_output (Fixture *f)
{
  char *text = NULL;

  if (!g_file_get_contents (f->out, &text, NULL, NULL))
    return g_strdup ("");
  g_unlink (f->out);
  return text;
}

typedef struct {
  const char *rule, *limit, *sublimit, *threshold, *section, *subsection;
  const char *expected; /* the lines written */
} RunCase;

static void
test_runs (Fixture *f, gconstpointer data)
{
  static const RunCase cases[] = {
    { NULL, NULL, NULL, NULL, "startup", NULL,
      "g-startup rule= limit= sublimit= threshold= event=startup\n"
      "g-startup-2 rule= limit= sublimit= threshold= event=startup\n" },
    { NULL, NULL, NULL, NULL, "shutdown", NULL,
      "g-shutdown rule= limit= sublimit= threshold= event=shutdown\n" },
    { "r1", NULL, NULL, NULL, "startup", NULL,
      "r-startup rule=r1 limit= sublimit= threshold= event=startup\n" },
    { "r1", NULL, NULL, NULL, "startup", "if_any_reached",
      "r-startup-any rule=r1 limit= sublimit= threshold= event=if_any_reached\n" },
    { "r1", NULL, NULL, NULL, "shutdown", "if_all_not_reached",
      "r-shutdown-allnot rule=r1 limit= sublimit= threshold= event=if_all_not_reached\n" },
    { "r1", "l1", NULL, NULL, "restart", NULL,
      "l-restart rule=r1 limit=l1 sublimit= threshold= event=restart\n" },
    { "r1", "l1", NULL, NULL, "reach", NULL,
      "l-reach rule=r1 limit=l1 sublimit= threshold= event=reach\n" },
    { "r1", "l1", NULL, NULL, "expire", NULL,
      "l-expire rule=r1 limit=l1 sublimit= threshold= event=expire\n" },
    { "r1", "l1", NULL, NULL, "startup", "if_reached",
      "l-startup-reached rule=r1 limit=l1 sublimit= threshold= event=if_reached\n" },
    { "r1", "l1", "90%", NULL, "reach", NULL,
      "s-reach rule=r1 limit=l1 sublimit=90% threshold= event=reach\n" },
    { "r1", "l1", "512K", NULL, "expire", NULL,
      "s512-expire rule=r1 limit=l1 sublimit=512K threshold= event=expire\n" },
    { "r1", NULL, NULL, "t1", "above_threshold", NULL,
      "t-above rule=r1 limit= sublimit= threshold=t1 event=above_threshold\n" },
    /* Present but empty: nothing runs, no error. */
    { "r1", NULL, NULL, "t1", "below_threshold", NULL, "" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const RunCase *c = &cases[i];
      IpaRunSectionRequest req = { c->rule, c->limit, c->sublimit, c->threshold,
                                   c->section, c->subsection };
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;

      g_test_message ("case %" G_GSIZE_FORMAT ": %s %s", i, c->section,
                      c->subsection != NULL ? c->subsection : "");
      g_assert_cmpint (ipa_run_section (f->conf, &req, &error), ==, 0);
      g_assert_no_error (error);
      out = take_output (f);
      g_assert_cmpstr (out, ==, c->expected);
    }
}

/* A failing command is counted, and the next one still runs. */
static void
test_failure_counted (Fixture *f, gconstpointer data)
{
  IpaRunSectionRequest req = { "r1", "l2", NULL, NULL, "reach", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (ipa_run_section (f->conf, &req, &error), ==, 1);
  g_assert_no_error (error);
  out = take_output (f);
  g_assert_cmpstr (out, ==, "l2-after-failure rule=r1 limit=l2 sublimit= threshold= event=reach\n");
}

typedef struct {
  const char *rule, *limit, *sublimit, *threshold, *section, *subsection;
  int code;
  const char *message; /* a part of the message */
} ErrorCase;

static void
test_errors (Fixture *f, gconstpointer data)
{
  static const ErrorCase cases[] = {
    { "nope", NULL, NULL, NULL, "startup", NULL, IPA_RUN_SECTION_ERROR_NO_OBJECT,
      "x.conf: no static rule \"nope\"" },
    { "r1", "nope", NULL, NULL, "reach", NULL, IPA_RUN_SECTION_ERROR_NO_OBJECT,
      "rule r1 has no limit \"nope\"" },
    { "r1", NULL, NULL, "nope", "above_threshold", NULL, IPA_RUN_SECTION_ERROR_NO_OBJECT,
      "rule r1 has no threshold \"nope\"" },
    { "r1", "l1", "80%", NULL, "reach", NULL, IPA_RUN_SECTION_ERROR_NO_OBJECT,
      "limit l1 of rule r1 has no sublimit \"80%\"" },
    { NULL, NULL, NULL, NULL, "reach", NULL, IPA_RUN_SECTION_ERROR_BAD_SECTION,
      "the configuration has no section \"reach\" (it may have: startup, shutdown)" },
    { NULL, NULL, NULL, NULL, "startup", "if_reached", IPA_RUN_SECTION_ERROR_BAD_SECTION,
      "section \"startup\" of the configuration has no subsections" },
    { "r1", NULL, NULL, NULL, "reach", NULL, IPA_RUN_SECTION_ERROR_BAD_SECTION,
      "rule r1 has no section \"reach\"" },
    { "r1", NULL, NULL, NULL, "startup", "if_reached", IPA_RUN_SECTION_ERROR_BAD_SECTION,
      "has no subsection \"if_reached\" (it may have: if_all_reached, if_any_reached, "
      "if_all_not_reached, if_any_not_reached)" },
    { "r1", "l1", NULL, NULL, "reach", "if_reached", IPA_RUN_SECTION_ERROR_BAD_SECTION,
      "section \"reach\" of limit l1 of rule r1 has no subsections" },
    { "r1", "l1", NULL, NULL, "startup", "if_all_reached", IPA_RUN_SECTION_ERROR_BAD_SECTION,
      "(it may have: if_reached, if_not_reached)" },
    { "r1", "l1", "90%", NULL, "restart", NULL, IPA_RUN_SECTION_ERROR_BAD_SECTION,
      "sublimit 90% of limit l1 of rule r1 has no section \"restart\"" },
    { "r1", NULL, NULL, "t1", "reach", NULL, IPA_RUN_SECTION_ERROR_BAD_SECTION,
      "threshold t1 of rule r1 has no section \"reach\"" },
    /* Sections that may be there but are not written. */
    { "r1", "l1", NULL, NULL, "shutdown", NULL, IPA_RUN_SECTION_ERROR_ABSENT,
      "limit l1 of rule r1 has no \"shutdown\" section in x.conf" },
    { "r1", "l1", NULL, NULL, "startup", "if_not_reached", IPA_RUN_SECTION_ERROR_ABSENT,
      "limit l1 of rule r1 has no \"startup if_not_reached\" section" },
    { "r1", "l1", "90%", NULL, "expire", NULL, IPA_RUN_SECTION_ERROR_ABSENT,
      "sublimit 90% of limit l1 of rule r1 has no \"expire\" section" },
    { "r1", NULL, NULL, "t1", "equal_threshold", NULL, IPA_RUN_SECTION_ERROR_ABSENT,
      "threshold t1 of rule r1 has no \"equal_threshold\" section" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const ErrorCase *c = &cases[i];
      IpaRunSectionRequest req = { c->rule, c->limit, c->sublimit, c->threshold,
                                   c->section, c->subsection };
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;

      g_test_message ("case %" G_GSIZE_FORMAT ": expecting \"%s\"", i, c->message);
      g_assert_cmpint (ipa_run_section (f->conf, &req, &error), ==, -1);
      g_assert_error (error, IPA_RUN_SECTION_ERROR, c->code);
      if (strstr (error->message, c->message) == NULL)
        g_error ("message \"%s\" lacks \"%s\"", error->message, c->message);
      out = take_output (f);
      g_assert_cmpstr (out, ==, "");
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/run-section/runs", Fixture, NULL, fixture_setup, test_runs, fixture_teardown);
  g_test_add ("/run-section/failure-counted", Fixture, NULL, fixture_setup,
              test_failure_counted, fixture_teardown);
  g_test_add ("/run-section/errors", Fixture, NULL, fixture_setup, test_errors,
              fixture_teardown);

  return g_test_run ();
}
