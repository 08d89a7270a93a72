/*
 * ipa-pidfile.h: the PID file of the daemon and the single-instance rule
 * (ipa(8)).
 *
 * The running daemon holds an exclusive fcntl(2) write lock on its PID
 * file for its whole life; that lock, not the number written in the file,
 * is what keeps a second daemon from starting and what ipa -k targets
 * (F_GETLK reports the PID of the holder).  A file left behind by a daemon
 * that died is not locked and is simply reused.
 *
 * fcntl locks belong to a process and are not inherited by fork(): a
 * daemon that detaches from the terminal takes the lock in the final
 * process.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define IPA_PIDFILE_ERROR (ipa_pidfile_error_quark ())
GQuark ipa_pidfile_error_quark (void);

typedef enum {
  IPA_PIDFILE_ERROR_LOCKED,  /* another process holds the lock */
  IPA_PIDFILE_ERROR_FAILED,  /* a system call failed (message says which) */
} IpaPidFileError;

typedef struct _IpaPidFile IpaPidFile;

/* Open (create, mode 0644) and lock @path, then write our PID into it.
 * The lock is kept until ipa_pidfile_free().  When another process holds
 * the lock, fails with IPA_PIDFILE_ERROR_LOCKED and a message naming the
 * holder's PID. */
IpaPidFile *ipa_pidfile_acquire (const char *path, GError **error);

/* Remove the file (by the directory opened at acquire time, so that this
 * works after chroot) and unlock.  If it cannot be removed (privileges
 * were dropped), it is emptied instead, so that no stale PID stays in it. */
void ipa_pidfile_remove (IpaPidFile *pidfile);

/* Unlock and close without removing (a child of the daemon, or an error
 * path that must leave the file alone). */
void ipa_pidfile_free (IpaPidFile *pidfile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IpaPidFile, ipa_pidfile_free)

const char *ipa_pidfile_get_path (IpaPidFile *pidfile);

/* The PID of the process holding the lock on @path: 0 when the file is
 * not locked (or does not exist), -1 with @error set when it cannot be
 * checked.  Needs read access only. */
pid_t ipa_pidfile_get_holder (const char *path, GError **error);

G_END_DECLS
