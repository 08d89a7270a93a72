/*
 * ipactl.h: what the parts of ipactl share: the options, the connection
 * to org.ipasystem.Ipa1, exit statuses and the commands.
 *
 * ipactl links libipa and gio only; it knows the daemon through its D-Bus
 * interface (data/org.ipasystem.Ipa1.xml), nothing else.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Exit statuses (README.md), after sysexits(3) as ipastat's. */
typedef enum {
  IPACTL_EXIT_OK = 0,
  IPACTL_EXIT_FAILED = 1,       /* ipa refused (exists, not dynamic, state, module, …) */
  IPACTL_EXIT_USAGE = 64,       /* bad options or arguments; nothing was sent */
  IPACTL_EXIT_DATAERR = 65,     /* a bad value, found by ipactl or by ipa */
  IPACTL_EXIT_NOUSER = 67,      /* no such rule, limit, threshold or autorule */
  IPACTL_EXIT_UNAVAILABLE = 69, /* the bus cannot be reached, ipa does not run */
  IPACTL_EXIT_TEMPFAIL = 75,    /* no answer in time, or ipa is reloading */
  IPACTL_EXIT_NOPERM = 77,      /* access denied by the bus policy or by ipa's ACLs */
} IpactlExit;

/* Which of -a -r -l -t were given. */
enum {
  IPACTL_OPT_A = 1 << 0,
  IPACTL_OPT_R = 1 << 1,
  IPACTL_OPT_L = 1 << 2,
  IPACTL_OPT_T = 1 << 3,
};

typedef enum {
  IPACTL_OP_ASSIGN,   /* VALUE */
  IPACTL_OP_ADD,      /* +VALUE */
  IPACTL_OP_SUBTRACT, /* -VALUE */
} IpactlOp;

/* One "KEYWORD VALUE" of set. */
typedef struct {
  const char *what;        /* "counter", "limit", "threshold" */
  IpactlOp op;
  guint64 value;
} IpactlChange;

typedef struct {
  char *autorule;          /* -a */
  char *rule;              /* -r */
  char *limit;             /* -l */
  char *threshold;         /* -t */
  char *address;           /* -s: a D-Bus address; NULL: the system bus */
  gboolean no_wait;        /* -n */
  guint timeout_sec;       /* -w: 0 waits as long as it takes */
  char **args;             /* the command's arguments */
  IpactlChange changes[2]; /* set, parsed before connecting */
  guint n_changes;
  GDBusConnection *bus;
} Ipactl;

/* ---- ipactl-client.c ---- */

/* Connect to the bus (of -s, else the system bus). */
gboolean ipactl_connect (Ipactl *c, GError **error);
/* Call @method; returns the reply (of @reply_type), or NULL with @error.
 * With -n the call is sent without asking for a reply, and an empty tuple
 * is returned once it is written. */
GVariant *ipactl_call (Ipactl *c, const char *path, const char *interface,
                       const char *method, GVariant *params,
                       const GVariantType *reply_type, GError **error);
/* After -n: wait, at most a second, until ipa has taken the commands in.
 * ipa identifies a caller by asking the bus, which forgets a client as
 * soon as it disconnects: a client that sent and left at once could not
 * be authorised.  The answer itself is not waited for. */
void ipactl_linger (Ipactl *c);
/* Properties.GetAll of @interface on @path: a{sv}. */
GVariant *ipactl_get_all (Ipactl *c, const char *path, const char *interface,
                          GError **error);
/* Print "ipactl: MESSAGE" for @error and return its exit status. */
int ipactl_report_error (const GError *error);

/* ---- ipactl-value.c ---- */

/* "[+|-]VALUE", VALUE as in ipa.conf: a number, bytes ("1G 512M") or a
 * duration ("1h 30m").  @words are joined by single spaces first. */
gboolean ipactl_parse_value (const char *const *words, IpactlOp *op, guint64 *value,
                             GError **error);
/* "=", "+" or "-" for the D-Bus methods. */
const char *ipactl_op_string (IpactlOp op);
/* -w: seconds as a duration ("5", "1m"). */
gboolean ipactl_parse_timeout (const char *text, guint *seconds, GError **error);
/* A date (seconds since the epoch) in local time; "-" for 0. */
char *ipactl_format_date (gint64 wall);
/* @text padded with blanks to @width characters, after it or, with
 * @right, before it; never cut.  Characters, not bytes: translated
 * headers and labels are UTF-8, which printf's "%-8s" would misalign. */
char *ipactl_pad (const char *text, guint width, gboolean right);

/* ---- commands: each returns an exit status ---- */

int ipactl_cmd_status (Ipactl *c);            /* ipactl-status.c */
int ipactl_cmd_memory (Ipactl *c);            /* ipactl-memory.c */
/* Parse the arguments of set into c->changes (before anything is sent);
 * 0 or an exit status. */
int ipactl_prepare_set (Ipactl *c);           /* ipactl-set.c */
int ipactl_cmd_set (Ipactl *c);
int ipactl_cmd_create (Ipactl *c);            /* ipactl-rules.c */
int ipactl_cmd_delete (Ipactl *c);
int ipactl_cmd_expire (Ipactl *c);
int ipactl_cmd_restart (Ipactl *c);
int ipactl_cmd_dump (Ipactl *c);              /* ipactl-daemon.c */
int ipactl_cmd_freeze (Ipactl *c);

G_END_DECLS
