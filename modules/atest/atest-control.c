/*
 * atest-control.c: the control file of ipa_atest (atest:control), through
 * which a test changes amounts and creates or deletes dynamic rules while
 * the daemon runs.
 *
 * The file is read at every ac_get_stat (it is small) and acted on when
 * its content differs from the last one acted on.  Commands, one a line,
 * blank lines and '#' comments ignored:
 *
 *   chunk RULE [-]AMOUNT        RULE returns AMOUNT per call from now on
 *   create AUTORULE NAME [INFO] ac_create_rule from AUTORULE
 *   delete NAME                 ac_delete_rule of the rule NAME
 *
 * create and delete act once per line text: the texts already executed
 * are remembered for the module's life, so removing a line and adding it
 * again does nothing.  chunk lines are applied to the live rules whenever
 * the file changes, and to rules initialised later.
 */
#include "atest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A control file is a handful of lines; more is a mistake. */
#define CONTROL_MAX (1024 * 1024)

typedef struct {
  char *name;
  int subtract;
  uint64_t amount;
} Override;

static char *content;            /* what was acted on last */
static size_t content_len;
static int last_errno;           /* to log a read error once */

static Override *overrides;
static unsigned int n_overrides, cap_overrides;

static char **executed;
static unsigned int n_executed, cap_executed;

static void *
grow (void *arr, unsigned int *cap, size_t isize)
{
  unsigned int n = *cap > 0 ? *cap * 2 : 8;
  void *p = MEM->mem_realloc (arr, n * isize, atest_mem_io);

  if (p != NULL)
    *cap = n;
  return p;
}

static void
free_overrides (void)
{
  for (unsigned int i = 0; i < n_overrides; i++)
    MEM->mem_free (overrides[i].name, atest_mem_io);
  n_overrides = 0;
}

void
atest_control_free (void)
{
  free_overrides ();
  if (overrides != NULL)
    MEM->mem_free (overrides, atest_mem_io);
  overrides = NULL;
  cap_overrides = 0;
  for (unsigned int i = 0; i < n_executed; i++)
    MEM->mem_free (executed[i], atest_mem_io);
  if (executed != NULL)
    MEM->mem_free (executed, atest_mem_io);
  executed = NULL;
  n_executed = cap_executed = 0;
  if (content != NULL)
    MEM->mem_free (content, atest_mem_io);
  content = NULL;
  content_len = 0;
  last_errno = 0;
}

int
atest_control_override (const char *name, int *subtract, uint64_t *amount)
{
  /* The last line for a rule wins. */
  for (unsigned int i = n_overrides; i-- > 0;)
    if (strcmp (overrides[i].name, name) == 0)
      {
        *subtract = overrides[i].subtract;
        *amount = overrides[i].amount;
        return 1;
      }
  return 0;
}

/* The whole file in atest_mem_io memory (NUL-terminated), or NULL with errno
 * set (0 for a file too big). */
static char *
read_file (const char *path, size_t *len)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  char *buf = NULL;
  size_t cap, n = 0;
  int saved;

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0)
    goto fail;
  if (st.st_size > CONTROL_MAX)
    {
      errno = EFBIG;
      goto fail;
    }
  cap = (size_t) st.st_size + 1;
  buf = MEM->mem_malloc (cap, atest_mem_io);
  if (buf == NULL)
    {
      errno = ENOMEM;
      goto fail;
    }
  for (;;)
    {
      ssize_t r;

      if (n + 1 == cap)
        {
          /* The file grew while being read. */
          char *p;

          if (cap > CONTROL_MAX)
            {
              errno = EFBIG;
              goto fail;
            }
          p = MEM->mem_realloc (buf, cap * 2, atest_mem_io);
          if (p == NULL)
            {
              errno = ENOMEM;
              goto fail;
            }
          buf = p;
          cap *= 2;
        }
      r = read (fd, buf + n, cap - 1 - n);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        goto fail;
      if (r == 0)
        break;
      n += (size_t) r;
    }
  close (fd);
  buf[n] = '\0';
  *len = n;
  return buf;

fail:
  saved = errno;
  if (buf != NULL)
    MEM->mem_free (buf, atest_mem_io);
  close (fd);
  errno = saved;
  return NULL;
}

static int
was_executed (const char *line)
{
  for (unsigned int i = 0; i < n_executed; i++)
    if (strcmp (executed[i], line) == 0)
      return 1;
  return 0;
}

static void
mark_executed (const char *line)
{
  char *copy;

  if (n_executed == cap_executed)
    {
      char **p = grow (executed, &cap_executed, sizeof *p);

      if (p == NULL)
        return;
      executed = p;
    }
  copy = MEM->mem_strdup (line, atest_mem_io);
  if (copy != NULL)
    executed[n_executed++] = copy;
}

/* Split @line (modified) into at most @max words; the last word takes the
 * rest of the line when @rest is set.  Returns the number of words. */
static unsigned int
split (char *line, char **words, unsigned int max, int rest)
{
  unsigned int n = 0;
  char *p = line;

  while (n < max)
    {
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        break;
      words[n++] = p;
      if (rest && n == max)
        break;
      while (*p != '\0' && *p != ' ' && *p != '\t')
        p++;
      if (*p != '\0')
        *p++ = '\0';
    }
  return n;
}

/* chunk RULE [-]AMOUNT: into the override list and onto the live rules. */
static void
do_chunk (const char *path, unsigned int lineno, char **w, unsigned int n)
{
  const char *amount_text;
  int subtract = 0;
  uint64_t amount;
  Override *o;

  if (n != 3)
    {
      mt_log (&atest_trace, IPA_LOG_WARNING, 0, "%s:%u: expected: chunk RULE [-]AMOUNT",
              path, lineno);
      return;
    }
  amount_text = w[2];
  if (*amount_text == '-' || *amount_text == '+')
    subtract = *amount_text++ == '-';
  if (mt_bytes_parse (amount_text, &amount) != 0)
    {
      mt_log (&atest_trace, IPA_LOG_WARNING, 0, "%s:%u: bad amount \"%s\"", path, lineno, w[2]);
      return;
    }
  if (n_overrides == cap_overrides)
    {
      Override *p = grow (overrides, &cap_overrides, sizeof *p);

      if (p == NULL)
        return;
      overrides = p;
    }
  o = &overrides[n_overrides];
  o->name = MEM->mem_strdup (w[1], atest_mem_io);
  if (o->name == NULL)
    return;
  o->subtract = subtract;
  o->amount = amount;
  n_overrides++;
  atest_apply_override (w[1], subtract, amount);
}

/* create / delete; returns -1 if the host's call returned -1. */
static int
do_once (const char *path, unsigned int lineno, const char *text, char *work)
{
  char *w[4];
  unsigned int n = split (work, w, 4, 1);
  unsigned int autoruleno;
  int r = 0;

  if (strcmp (w[0], "create") == 0)
    {
      if (n < 3)
        mt_log (&atest_trace, IPA_LOG_WARNING, 0, "%s:%u: expected: create AUTORULE NAME [INFO]",
                path, lineno);
      else if (atest_conf_autorule_lookup (w[1], &autoruleno) != 0)
        mt_log (&atest_trace, IPA_LOG_WARNING, 0, "%s:%u: no autorule \"%s\"", path, lineno, w[1]);
      else
        r = atest_create_rule (autoruleno, w[2], n == 4 ? w[3] : NULL);
    }
  else if (n != 2)
    mt_log (&atest_trace, IPA_LOG_WARNING, 0, "%s:%u: expected: delete NAME", path, lineno);
  else
    r = atest_delete_rule (w[1]);
  mark_executed (text);
  return r;
}

/* Remove leading and trailing blanks in place. */
static char *
trim (char *s)
{
  size_t len;

  while (*s == ' ' || *s == '\t' || *s == '\r')
    s++;
  len = strlen (s);
  while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
    s[--len] = '\0';
  return s;
}

/* The next line of @*p (NUL-terminated in place), or NULL at the end. */
static char *
next_line (char **p)
{
  char *line = *p;
  char *nl;

  if (*line == '\0')
    return NULL;
  nl = strchr (line, '\n');
  if (nl != NULL)
    {
      *nl = '\0';
      *p = nl + 1;
    }
  else
    *p = line + strlen (line);
  return line;
}

int
atest_control_poll (const char *path)
{
  size_t len = 0;
  char *buf = read_file (path, &len);
  char *work, *p, *line;
  unsigned int lineno;
  int r = 0;

  if (buf == NULL)
    {
      /* A missing file is an empty one; other errors are logged once. */
      if (errno != ENOENT && errno != last_errno)
        mt_log (&atest_trace, IPA_LOG_WARNING, errno, "atest:control: cannot read %s", path);
      last_errno = errno;
      return 0;
    }
  last_errno = 0;
  if (content != NULL && len == content_len && memcmp (buf, content, len) == 0)
    {
      MEM->mem_free (buf, atest_mem_io);
      return 0;
    }
  if (content != NULL)
    MEM->mem_free (content, atest_mem_io);
  content = buf;
  content_len = len;

  /* Lines are cut in a copy; content stays intact for the comparison. */
  work = MEM->mem_malloc (len + 1, atest_mem_io);
  if (work == NULL)
    {
      mt_log (&atest_trace, IPA_LOG_ERR, ENOMEM, "atest:control: cannot process %s", path);
      return 0;
    }

  /* chunk lines first, so that rules created below already see them. */
  free_overrides ();
  memcpy (work, content, len + 1);
  for (p = work, lineno = 1; (line = next_line (&p)) != NULL; lineno++)
    {
      char *w[4];
      unsigned int n;

      line = trim (line);
      if (line[0] == '\0' || line[0] == '#')
        continue;
      n = split (line, w, 4, 0);
      if (strcmp (w[0], "chunk") == 0)
        do_chunk (path, lineno, w, n);
      else if (strcmp (w[0], "create") != 0 && strcmp (w[0], "delete") != 0)
        mt_log (&atest_trace, IPA_LOG_WARNING, 0, "%s:%u: unknown command \"%s\"",
                path, lineno, w[0]);
    }

  memcpy (work, content, len + 1);
  for (p = work, lineno = 1; r == 0 && (line = next_line (&p)) != NULL; lineno++)
    {
      char cmd[8];
      char *copy;

      line = trim (line);
      if (line[0] == '\0' || line[0] == '#' || was_executed (line))
        continue;
      snprintf (cmd, sizeof cmd, "%.*s", (int) strcspn (line, " \t"), line);
      if (strcmp (cmd, "create") != 0 && strcmp (cmd, "delete") != 0)
        continue;
      copy = MEM->mem_strdup (line, atest_mem_io);
      if (copy == NULL)
        break;
      r = do_once (path, lineno, line, copy);
      MEM->mem_free (copy, atest_mem_io);
    }
  MEM->mem_free (work, atest_mem_io);
  return r;
}
