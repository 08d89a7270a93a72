/*
 * fuzz-main.c: replay driver for fuzz targets in builds without libFuzzer.
 *
 * Runs LLVMFuzzerTestOneInput() once on every file given, and on every file
 * of every directory given (sorted by name, not recursive), so that the
 * committed corpora are checked by the ordinary test suite (and under
 * ASan/UBSan when the suite is).
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

static gboolean
run_file (const char *path)
{
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &data, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return FALSE;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  return TRUE;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

int
main (int argc, char **argv)
{
  guint n = 0;
  gboolean ok = TRUE;

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, &error);
          g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
          const char *name;

          if (dir == NULL)
            {
              fprintf (stderr, "%s\n", error->message);
              ok = FALSE;
              continue;
            }
          while ((name = g_dir_read_name (dir)) != NULL)
            g_ptr_array_add (files, g_build_filename (argv[i], name, NULL));
          g_ptr_array_sort (files, compare_names);
          for (guint j = 0; j < files->len; j++)
            if (g_file_test (files->pdata[j], G_FILE_TEST_IS_REGULAR))
              {
                ok = run_file (files->pdata[j]) && ok;
                n++;
              }
        }
      else
        {
          ok = run_file (argv[i]) && ok;
          n++;
        }
    }
  printf ("ran %u input%s\n", n, n == 1 ? "" : "s");
  if (n == 0)
    {
      fprintf (stderr, "no inputs\n");
      return 1;
    }
  return ok ? 0 : 1;
}
