/*
 * test-netdev-proc.c: the /proc/net/dev reader of ipa_ac_netdev
 * (modules/ac_netdev/netdev-proc.c) on fixture texts.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "netdev-proc.h"
#include "netdev-test-mem.h"

static char *
fixture_path (const char *name)
{
  return g_build_filename (g_getenv ("IPA_TEST_SRCDIR"), "netdev", "fixtures", name, NULL);
}

static char *
fixture (const char *name, gsize *len)
{
  g_autofree char *path = fixture_path (name);
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, len, &error));
  g_assert_no_error (error);
  return text;
}

static const NetdevStat *
find (NetdevTable *t, const char *name)
{
  const NetdevStat *s = netdev_table_lookup (t, name, NULL);

  g_assert_nonnull (s);
  return s;
}

static void
assert_stat (const NetdevStat *s, guint64 rxb, guint64 rxp, guint64 txb, guint64 txp)
{
  g_assert_cmpuint (s->bytes[NETDEV_RX], ==, rxb);
  g_assert_cmpuint (s->packets[NETDEV_RX], ==, rxp);
  g_assert_cmpuint (s->bytes[NETDEV_TX], ==, txb);
  g_assert_cmpuint (s->packets[NETDEV_TX], ==, txp);
  g_assert_cmpuint (s->ifindex, ==, 0);
  g_assert_cmpuint (s->bits, ==, 64);
}

/* The format of current kernels, as captured in a test namespace, with
 * counters at the edges of the 32- and 64-bit ranges. */
static void
test_modern (void)
{
  ipa_mem_type *mt = netdev_test_mem_type ();
  NetdevTable t;
  gsize len;
  g_autofree char *text = fixture ("proc-net-dev-6.x.txt", &len);
  unsigned int bad = 0;

  netdev_table_init (&t, ipa_memfunc_get (), mt);
  g_assert_cmpint (netdev_proc_parse (text, len, &t, &bad), ==, 0);
  g_assert_cmpuint (t.n, ==, 4);
  g_assert_cmpstr (t.v[0].name, ==, "lo");
  g_assert_cmpstr (t.v[3].name, ==, "enp0s31f6");
  assert_stat (find (&t, "lo"), 0, 0, 0, 0);
  assert_stat (find (&t, "va"), 5272, 74, 1005602, 79);
  assert_stat (find (&t, "vt1p"), G_MAXUINT64, G_GUINT64_CONSTANT (4294967296), 4294967295, 1);
  assert_stat (find (&t, "enp0s31f6"), 912873645, 1203944, 88172635, 512034);
  g_assert_null (netdev_table_lookup (&t, "eth0", NULL));
  netdev_table_free (&t);
  g_assert_cmpuint (netdev_test_mem_in_use (mt), ==, 0);
}

/* Linux 2.4 wrote "eth0:NUMBER" with no blank when the number was long. */
static void
test_glued (void)
{
  ipa_mem_type *mt = netdev_test_mem_type ();
  NetdevTable t;
  gsize len;
  g_autofree char *text = fixture ("proc-net-dev-2.4.txt", &len);

  netdev_table_init (&t, ipa_memfunc_get (), mt);
  g_assert_cmpint (netdev_proc_parse (text, len, &t, NULL), ==, 0);
  g_assert_cmpuint (t.n, ==, 2);
  assert_stat (find (&t, "lo"), 164036, 2134, 164036, 2134);
  assert_stat (find (&t, "eth0"), 4294967295, 3871025, 93124421, 1412233);
  netdev_table_free (&t);
  g_assert_cmpuint (netdev_test_mem_in_use (mt), ==, 0);
}

/* Linux 2.0 had packet counters only: refused at its header line. */
static void
test_no_bytes (void)
{
  ipa_mem_type *mt = netdev_test_mem_type ();
  NetdevTable t;
  gsize len;
  g_autofree char *text = fixture ("proc-net-dev-2.0.txt", &len);
  unsigned int bad = 0;

  netdev_table_init (&t, ipa_memfunc_get (), mt);
  errno = 0;
  g_assert_cmpint (netdev_proc_parse (text, len, &t, &bad), ==, -1);
  g_assert_cmpint (errno, ==, EINVAL);
  g_assert_cmpuint (bad, ==, 2);
  netdev_table_free (&t);
}

/* The columns follow the header, and without one the usual layout holds. */
static void
test_columns (void)
{
  static const char moved[] =
    "Inter-|   Receive   |  Transmit\n"
    " face |packets bytes|foo packets bytes\n"
    "  x0: 1 2 3 4 5\n";
  static const char headless[] =
    "a: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
    "b: 1 2 3 4 5 6 7 8 9 10\n"
    "\n"
    "c:1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\r\n";
  ipa_mem_type *mt = netdev_test_mem_type ();
  NetdevTable t;

  netdev_table_init (&t, ipa_memfunc_get (), mt);
  g_assert_cmpint (netdev_proc_parse (moved, strlen (moved), &t, NULL), ==, 0);
  g_assert_cmpuint (t.n, ==, 1);
  assert_stat (&t.v[0], 2, 1, 5, 4);

  netdev_table_clear (&t);
  g_assert_cmpint (netdev_proc_parse (headless, strlen (headless), &t, NULL), ==, 0);
  g_assert_cmpuint (t.n, ==, 3);
  assert_stat (find (&t, "a"), 1, 2, 9, 10);
  assert_stat (find (&t, "b"), 1, 2, 9, 10);
  assert_stat (find (&t, "c"), 1, 2, 9, 10);
  netdev_table_free (&t);
  g_assert_cmpuint (netdev_test_mem_in_use (mt), ==, 0);
}

static void
test_bad_lines (void)
{
  static const struct {
    const char *text;
    unsigned int line;
  } cases[] = {
    { "lo 1 2 3 4 5 6 7 8 9 10\n", 1 },                         /* no colon */
    { "ok: 1 2 3 4 5 6 7 8 9 10\n: 1 2 3 4 5 6 7 8 9 10\n", 2 }, /* no name */
    { "abcdefghijklmnop: 1 2 3 4 5 6 7 8 9 10\n", 1 },         /* 16 characters */
    { "a b: 1 2 3 4 5 6 7 8 9 10\n", 1 },                       /* blank in the name */
    { "x: 1 2 3 4 5 6 7 8 9\n", 1 },                            /* too few columns */
    { "x: 1 2 3 -4 5 6 7 8 9 10\n", 1 },                        /* sign */
    { "x: 1 2 3 4x 5 6 7 8 9 10\n", 1 },                        /* not a number */
    { "\n\nx: 18446744073709551616 2 3 4 5 6 7 8 9 10\n", 3 },  /* 2^64 */
    { "x: 1 2 3 4 5 6 7 8 9 10\ny: 1 2 3 4 5 6 7 8 9 99999999999999999999\n", 2 },
  };
  ipa_mem_type *mt = netdev_test_mem_type ();
  NetdevTable t;

  netdev_table_init (&t, ipa_memfunc_get (), mt);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      unsigned int bad = 0;

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      netdev_table_clear (&t);
      errno = 0;
      g_assert_cmpint (netdev_proc_parse (cases[i].text, strlen (cases[i].text), &t, &bad), ==, -1);
      g_assert_cmpint (errno, ==, EINVAL);
      g_assert_cmpuint (bad, ==, cases[i].line);
    }
  /* 15 characters is the longest name. */
  netdev_table_clear (&t);
  g_assert_cmpint (netdev_proc_parse ("abcdefghijklmno: 1 2 3 4 5 6 7 8 9 10", 37, &t, NULL), ==, 0);
  g_assert_cmpstr (t.v[0].name, ==, "abcdefghijklmno");
  netdev_table_free (&t);
  g_assert_cmpuint (netdev_test_mem_in_use (mt), ==, 0);
}

/* Reading a file looks the ifindexes up: "lo" is 1 in every namespace, a
 * name that does not exist stays 0. */
static void
test_read_file (void)
{
  ipa_mem_type *mt = netdev_test_mem_type ();
  g_autofree char *path = NULL;
  g_autofree char *missing = fixture_path ("no-such-file");
  NetdevProc p;
  NetdevTable t;
  const char *what = NULL;
  unsigned int bad = 0;
  GError *error = NULL;
  int fd;
  GString *big = g_string_new (NULL);

  fd = g_file_open_tmp ("netdev-proc-XXXXXX", &path, &error);
  g_assert_no_error (error);
  close (fd);
  /* Larger than the first read buffer, so that it grows. */
  g_string_append (big, "Inter-|   Receive                                                |  Transmit\n"
                        " face |bytes    packets errs drop fifo frame compressed multicast|"
                        "bytes    packets errs drop fifo colls carrier compressed\n");
  g_string_append (big, "    lo: 7 8 0 0 0 0 0 0 9 10 0 0 0 0 0 0\n");
  for (int i = 0; i < 200; i++)
    g_string_append_printf (big, "nosuch%d: %d 1 0 0 0 0 0 0 %d 2 0 0 0 0 0 0\n", i, i, i * 2);
  g_assert_true (g_file_set_contents (path, big->str, (gssize) big->len, &error));
  g_assert_no_error (error);
  g_string_free (big, TRUE);

  netdev_proc_init (&p, ipa_memfunc_get (), mt);
  netdev_table_init (&t, ipa_memfunc_get (), mt);
  g_assert_cmpint (netdev_proc_read (&p, path, &t, &what, &bad), ==, 0);
  g_assert_cmpuint (t.n, ==, 201);
  g_assert_cmpuint (find (&t, "lo")->ifindex, ==, 1);
  g_assert_cmpuint (find (&t, "lo")->bytes[NETDEV_TX], ==, 9);
  g_assert_cmpuint (find (&t, "nosuch199")->ifindex, ==, 0);
  g_assert_cmpuint (find (&t, "nosuch199")->bytes[NETDEV_TX], ==, 398);
  g_assert_cmpuint (p.buf_size, >, 4096);

  /* Read again into the same buffers. */
  g_assert_cmpint (netdev_proc_read (&p, path, &t, &what, &bad), ==, 0);
  g_assert_cmpuint (t.n, ==, 201);

  errno = 0;
  g_assert_cmpint (netdev_proc_read (&p, missing, &t, &what, &bad), ==, -1);
  g_assert_cmpint (errno, ==, ENOENT);
  g_assert_cmpstr (what, ==, "open");
  g_assert_cmpuint (t.n, ==, 0);

  g_assert_true (g_file_set_contents (path, "x: 1 2\n", -1, &error));
  g_assert_cmpint (netdev_proc_read (&p, path, &t, &what, &bad), ==, -1);
  g_assert_cmpint (errno, ==, EINVAL);
  g_assert_cmpstr (what, ==, "parsing");
  g_assert_cmpuint (bad, ==, 1);

  /* The real file of this namespace. */
  g_assert_cmpint (netdev_proc_read (&p, NETDEV_PROC_PATH, &t, &what, &bad), ==, 0);
  g_assert_cmpuint (find (&t, "lo")->ifindex, ==, 1);

  netdev_proc_close (&p);
  netdev_table_free (&t);
  g_unlink (path);
  g_assert_cmpuint (netdev_test_mem_in_use (mt), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/netdev/proc/modern", test_modern);
  g_test_add_func ("/netdev/proc/glued", test_glued);
  g_test_add_func ("/netdev/proc/no-bytes", test_no_bytes);
  g_test_add_func ("/netdev/proc/columns", test_columns);
  g_test_add_func ("/netdev/proc/bad-lines", test_bad_lines);
  g_test_add_func ("/netdev/proc/read-file", test_read_file);

  return g_test_run ();
}
