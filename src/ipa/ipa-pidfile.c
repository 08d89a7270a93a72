/*
 * ipa-pidfile.c: the PID file and its lock.
 */
#include "config.h"

#include "ipa-pidfile.h"

#include "ipa-log.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _IpaPidFile {
  char *path;
  char *base;   /* name inside dir_fd */
  int fd;       /* locked, open for the daemon's life */
  int dir_fd;   /* O_PATH directory, for the removal after chroot */
};

G_DEFINE_QUARK (ipa-pidfile-error-quark, ipa_pidfile_error)

static void
set_errno_error (GError **error, const char *what, const char *path, int err)
{
  g_set_error (error, IPA_PIDFILE_ERROR, IPA_PIDFILE_ERROR_FAILED,
               _("PID file %s: cannot %s: %s"), path, what, g_strerror (err));
}

/* The PID holding a conflicting lock on @fd, 0 when none, -1 on error. */
static pid_t
lock_holder (int fd)
{
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

  if (fcntl (fd, F_GETLK, &fl) != 0)
    return -1;
  return fl.l_type == F_UNLCK ? 0 : fl.l_pid;
}

static gboolean
write_pid (int fd, const char *path, GError **error)
{
  g_autofree char *text = g_strdup_printf ("%ld\n", (long) getpid ());
  size_t len = strlen (text);
  ssize_t n;

  if (ftruncate (fd, 0) != 0)
    {
      set_errno_error (error, _("truncate"), path, errno);
      return FALSE;
    }
  do
    n = pwrite (fd, text, len, 0);
  while (n < 0 && errno == EINTR);
  if (n != (ssize_t) len)
    {
      set_errno_error (error, _("write"), path, n < 0 ? errno : EIO);
      return FALSE;
    }
  return TRUE;
}

IpaPidFile *
ipa_pidfile_acquire (const char *path, GError **error)
{
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  g_autofree char *dir = g_path_get_dirname (path);
  IpaPidFile *pidfile;
  int fd, dir_fd;

  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
  if (fd < 0)
    {
      set_errno_error (error, _("open"), path, errno);
      return NULL;
    }
  if (fcntl (fd, F_SETLK, &fl) != 0)
    {
      int saved = errno;
      pid_t holder = (saved == EAGAIN || saved == EACCES) ? lock_holder (fd) : -1;

      if (holder > 0)
        g_set_error (error, IPA_PIDFILE_ERROR, IPA_PIDFILE_ERROR_LOCKED,
                     _("PID file %s is locked by process %ld: is another ipa running?"),
                     path, (long) holder);
      else
        set_errno_error (error, _("lock"), path, saved);
      close (fd);
      return NULL;
    }
  if (!write_pid (fd, path, error))
    {
      close (fd);
      return NULL;
    }
  dir_fd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    {
      set_errno_error (error, _("open its directory"), path, errno);
      close (fd);
      return NULL;
    }

  pidfile = g_new0 (IpaPidFile, 1);
  pidfile->path = g_strdup (path);
  pidfile->base = g_path_get_basename (path);
  pidfile->fd = fd;
  pidfile->dir_fd = dir_fd;
  return pidfile;
}

void
ipa_pidfile_free (IpaPidFile *pidfile)
{
  if (pidfile == NULL)
    return;
  if (pidfile->fd >= 0)
    close (pidfile->fd);
  if (pidfile->dir_fd >= 0)
    close (pidfile->dir_fd);
  g_free (pidfile->path);
  g_free (pidfile->base);
  g_free (pidfile);
}

void
ipa_pidfile_remove (IpaPidFile *pidfile)
{
  struct stat ours, named;
  gboolean removed = FALSE;

  if (pidfile == NULL)
    return;
  /* Still holding the lock: nobody else can have taken the file over.
   * Remove the name only if it still is our file. */
  if (fstat (pidfile->fd, &ours) == 0 &&
      fstatat (pidfile->dir_fd, pidfile->base, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
      ours.st_dev == named.st_dev && ours.st_ino == named.st_ino)
    removed = unlinkat (pidfile->dir_fd, pidfile->base, 0) == 0;
  /* Not allowed to (privileges dropped): at least no stale PID stays.
   * Truncating our own descriptor touches no one else's file. */
  if (!removed && ftruncate (pidfile->fd, 0) != 0)
    ipa_log (LOG_WARNING, _("PID file %s: cannot remove or empty it: %s"),
             pidfile->path, g_strerror (errno));
  ipa_pidfile_free (pidfile);
}

const char *
ipa_pidfile_get_path (IpaPidFile *pidfile)
{
  return pidfile->path;
}

pid_t
ipa_pidfile_get_holder (const char *path, GError **error)
{
  pid_t holder;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      set_errno_error (error, _("open"), path, errno);
      return -1;
    }
  holder = lock_holder (fd);
  if (holder < 0)
    set_errno_error (error, _("check its lock"), path, errno);
  close (fd);
  return holder;
}
