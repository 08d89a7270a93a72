/*
 * ipastat-exit.c: exit statuses and the mapping of module errors to them.
 */
#include "config.h"

#include <errno.h>

#include "ipastat-exit.h"

G_DEFINE_QUARK (ipastat-error-quark, ipastat_error)

IpastatExit
ipastat_exit_from_errno (int code)
{
  switch (code)
    {
    case ENOENT:
    case ENOTDIR:
      return IPASTAT_EXIT_NO_DATABASE;
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EBUSY:
    case ETIMEDOUT:
      return IPASTAT_EXIT_BUSY;
    case EACCES:
    case EPERM:
      return IPASTAT_EXIT_PERMISSION;
    case ENOSYS:
    case EOPNOTSUPP:
      return IPASTAT_EXIT_UNSUPPORTED;
    default:
      return IPASTAT_EXIT_DATABASE;
    }
}
