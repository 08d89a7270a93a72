/*
 * nft-dump.c: nftables over netlink with libnftnl (requests) and libmnl
 * (replies).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/object.h>
#include <libnftnl/set.h>

#include "nft-dump.h"
#include "nft-mem.h"

/* Big enough for the 32 KiB messages the kernel builds for dumps when the
 * reader offers room for them (fewer system calls than 8 KiB). */
#define RECV_SIZE 65536
#define SEND_SIZE 8192
#define INTR_RETRIES 3

struct _NftNl {
  struct mnl_socket *sock;
  unsigned int portid;
  uint32_t seq;
  unsigned int n_requests;
  char send_buf[SEND_SIZE];
  char recv_buf[RECV_SIZE];
};

NftNl *
nft_nl_new (void)
{
  NftNl *nl = nft_calloc (1, sizeof *nl);

  if (nl != NULL)
    nl->seq = (uint32_t) time (NULL);
  return nl;
}

static void
nl_close (NftNl *nl)
{
  if (nl->sock != NULL)
    mnl_socket_close (nl->sock);
  nl->sock = NULL;
}

void
nft_nl_free (NftNl *nl)
{
  if (nl == NULL)
    return;
  nl_close (nl);
  nft_free (nl);
}

unsigned int
nft_nl_get_n_requests (const NftNl *nl)
{
  return nl->n_requests;
}

static int
nl_open (NftNl *nl)
{
  int err;

  if (nl->sock != NULL)
    return 0;
  nl->sock = mnl_socket_open (NETLINK_NETFILTER);
  if (nl->sock == NULL)
    return -errno;
  if (mnl_socket_bind (nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      err = errno;
      nl_close (nl);
      return -err;
    }
  nl->portid = mnl_socket_get_portid (nl->sock);
  return 0;
}

/* State of one request while its replies are parsed. */
typedef struct {
  mnl_cb_t parse;     /* one reply message */
  void *fn;           /* the caller's callback */
  void *data;
  int cb_failed;      /* the caller's callback said stop */
  int interrupted;    /* the kernel flagged the dump inconsistent */
  void *out;          /* for get requests */
} Request;

static int
reply_cb (const struct nlmsghdr *nlh, void *data)
{
  Request *rq = data;

  if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
    {
      rq->interrupted = 1;
      errno = EINTR;
      return MNL_CB_ERROR;
    }
  return rq->parse (nlh, rq);
}

/* Send @nlh (already in send_buf, @len bytes with batch framing if any)
 * and read replies for sequence @seq until the end.  0 or -errno. */
static int
nl_talk (NftNl *nl, size_t len, uint32_t seq, Request *rq)
{
  int r;

  nl->n_requests++;
  if (mnl_socket_sendto (nl->sock, nl->send_buf, len) < 0)
    {
      r = -errno;
      nl_close (nl);
      return r;
    }
  for (;;)
    {
      ssize_t n = mnl_socket_recvfrom (nl->sock, nl->recv_buf, sizeof nl->recv_buf);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          r = -errno;
          nl_close (nl);
          return r;
        }
      r = mnl_cb_run (nl->recv_buf, (size_t) n, seq, nl->portid, reply_cb, rq);
      if (r == MNL_CB_STOP)
        return 0;
      if (r < 0)
        {
          int err = errno;

          /* Our stop or an interrupted dump leaves replies unread: start
           * the next request on a fresh socket.  A kernel error ends the
           * request cleanly. */
          if (rq->cb_failed || rq->interrupted || err == ESRCH || err == EPROTO)
            nl_close (nl);
          if (rq->cb_failed)
            return -ENOMEM;
          return -(err != 0 ? err : EIO);
        }
    }
}

/* Attributes */

typedef struct {
  const struct nlattr **tb;
  unsigned int max;
} AttrTable;

static int
attr_collect_cb (const struct nlattr *attr, void *data)
{
  AttrTable *t = data;
  unsigned int type = mnl_attr_get_type (attr);

  if (type <= t->max)
    t->tb[type] = attr;
  return MNL_CB_OK;
}

static void
parse_msg_attrs (const struct nlmsghdr *nlh, const struct nlattr **tb, unsigned int max)
{
  AttrTable t = { tb, max };

  memset (tb, 0, (max + 1) * sizeof *tb);
  mnl_attr_parse (nlh, sizeof (struct nfgenmsg), attr_collect_cb, &t);
}

static void
parse_nested_attrs (const struct nlattr *nest, const struct nlattr **tb, unsigned int max)
{
  AttrTable t = { tb, max };

  memset (tb, 0, (max + 1) * sizeof *tb);
  mnl_attr_parse_nested (nest, attr_collect_cb, &t);
}

static int
attr_u64 (const struct nlattr *a, uint64_t *v)
{
  if (a == NULL || mnl_attr_get_payload_len (a) != sizeof (uint64_t))
    return -1;
  *v = be64toh (mnl_attr_get_u64 (a));
  return 0;
}

static int
attr_u32 (const struct nlattr *a, uint32_t *v)
{
  if (a == NULL || mnl_attr_get_payload_len (a) != sizeof (uint32_t))
    return -1;
  *v = ntohl (mnl_attr_get_u32 (a));
  return 0;
}

static const char *
attr_str (const struct nlattr *a)
{
  if (a == NULL || mnl_attr_validate (a, MNL_TYPE_NUL_STRING) < 0)
    return NULL;
  return mnl_attr_get_str (a);
}

static uint8_t
msg_family (const struct nlmsghdr *nlh)
{
  const struct nfgenmsg *g = mnl_nlmsg_get_payload (nlh);

  return g->nfgen_family;
}

static int
caller_result (Request *rq, int r)
{
  if (r < 0)
    {
      rq->cb_failed = 1;
      errno = ENOMEM;
      return MNL_CB_ERROR;
    }
  return MNL_CB_OK;
}

/* Tables */

static int
table_parse (const struct nlmsghdr *nlh, void *data)
{
  Request *rq = data;
  const struct nlattr *tb[NFTA_TABLE_MAX + 1];
  NftTableInfo info;

  parse_msg_attrs (nlh, tb, NFTA_TABLE_MAX);
  info.family = msg_family (nlh);
  info.name = attr_str (tb[NFTA_TABLE_NAME]);
  if (info.name == NULL || attr_u64 (tb[NFTA_TABLE_HANDLE], &info.handle) < 0)
    return MNL_CB_OK;  /* not a table we can use; skip it */
  return caller_result (rq, ((NftTableFunc) rq->fn) (&info, rq->data));
}

/* Run a request whose message was built by @build, repeating it when the
 * kernel says the dump was interrupted. */
typedef size_t (*BuildFunc) (NftNl *nl, uint32_t seq, const void *args);

static int
nl_request (NftNl *nl, BuildFunc build, const void *args, Request *rq)
{
  int r = 0;

  for (int attempt = 0; attempt < INTR_RETRIES; attempt++)
    {
      uint32_t seq;
      size_t len;

      r = nl_open (nl);
      if (r < 0)
        return r;
      seq = ++nl->seq;
      len = build (nl, seq, args);
      if (len == 0)
        return -ENOMEM;
      rq->interrupted = 0;
      rq->cb_failed = 0;
      r = nl_talk (nl, len, seq, rq);
      if (r != -EINTR || !rq->interrupted)
        return r;
    }
  return r;
}

static size_t
build_get_tables (NftNl *nl, uint32_t seq, const void *args)
{
  struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr (nl->send_buf, NFT_MSG_GETTABLE, NFPROTO_UNSPEC,
                                                NLM_F_DUMP, seq);

  return nlh->nlmsg_len;
}

int
nft_nl_dump_tables (NftNl *nl, NftTableFunc fn, void *data)
{
  Request rq = { table_parse, (void *) fn, data, 0, 0, NULL };

  return nl_request (nl, build_get_tables, NULL, &rq);
}

/* Counters */

typedef struct {
  uint8_t family;
  const char *table;
  const char *set;
  const uint8_t *key;
  uint32_t key_len;
  int add;
} Args;

static int
counter_parse (const struct nlmsghdr *nlh, void *data)
{
  Request *rq = data;
  const struct nlattr *tb[NFTA_OBJ_MAX + 1], *ctr[NFTA_COUNTER_MAX + 1];
  NftCounterInfo info;
  uint32_t type;

  parse_msg_attrs (nlh, tb, NFTA_OBJ_MAX);
  if (attr_u32 (tb[NFTA_OBJ_TYPE], &type) < 0 || type != NFT_OBJECT_COUNTER
      || tb[NFTA_OBJ_DATA] == NULL)
    return MNL_CB_OK;
  info.family = msg_family (nlh);
  info.table = attr_str (tb[NFTA_OBJ_TABLE]);
  info.name = attr_str (tb[NFTA_OBJ_NAME]);
  if (info.table == NULL || info.name == NULL || attr_u64 (tb[NFTA_OBJ_HANDLE], &info.handle) < 0)
    return MNL_CB_OK;
  parse_nested_attrs (tb[NFTA_OBJ_DATA], ctr, NFTA_COUNTER_MAX);
  if (attr_u64 (ctr[NFTA_COUNTER_BYTES], &info.bytes) < 0
      || attr_u64 (ctr[NFTA_COUNTER_PACKETS], &info.packets) < 0)
    return MNL_CB_OK;
  return caller_result (rq, ((NftCounterFunc) rq->fn) (&info, rq->data));
}

static size_t
build_get_counters (NftNl *nl, uint32_t seq, const void *args)
{
  const Args *a = args;
  struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr (nl->send_buf, NFT_MSG_GETOBJ, a->family,
                                                NLM_F_DUMP, seq);
  struct nftnl_obj *obj = nftnl_obj_alloc ();

  if (obj == NULL)
    return 0;
  if (a->table != NULL)
    nftnl_obj_set_str (obj, NFTNL_OBJ_TABLE, a->table);
  nftnl_obj_set_u32 (obj, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
  nftnl_obj_nlmsg_build_payload (nlh, obj);
  nftnl_obj_free (obj);
  return nlh->nlmsg_len;
}

int
nft_nl_dump_counters (NftNl *nl, uint8_t family, const char *table, NftCounterFunc fn, void *data)
{
  Args a = { family, table, NULL, NULL, 0, 0 };
  Request rq = { counter_parse, (void *) fn, data, 0, 0, NULL };

  return nl_request (nl, build_get_counters, &a, &rq);
}

/* Sets */

static int
set_parse (const struct nlmsghdr *nlh, void *data)
{
  Request *rq = data;
  const struct nlattr *tb[NFTA_SET_MAX + 1];
  NftSetInfo *info = rq->out;

  parse_msg_attrs (nlh, tb, NFTA_SET_MAX);
  memset (info, 0, sizeof *info);
  attr_u64 (tb[NFTA_SET_HANDLE], &info->handle);
  attr_u32 (tb[NFTA_SET_FLAGS], &info->flags);
  attr_u32 (tb[NFTA_SET_KEY_TYPE], &info->key_type);
  attr_u32 (tb[NFTA_SET_KEY_LEN], &info->key_len);
  return MNL_CB_OK;
}

static struct nftnl_set *
set_with_names (const Args *a)
{
  struct nftnl_set *s = nftnl_set_alloc ();

  if (s == NULL)
    return NULL;
  if (nftnl_set_set_str (s, NFTNL_SET_TABLE, a->table) < 0
      || nftnl_set_set_str (s, NFTNL_SET_NAME, a->set) < 0)
    {
      nftnl_set_free (s);
      return NULL;
    }
  return s;
}

static size_t
build_get_set (NftNl *nl, uint32_t seq, const void *args)
{
  const Args *a = args;
  struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr (nl->send_buf, NFT_MSG_GETSET, a->family,
                                                NLM_F_ACK, seq);
  struct nftnl_set *s = set_with_names (a);

  if (s == NULL)
    return 0;
  nftnl_set_nlmsg_build_payload (nlh, s);
  nftnl_set_free (s);
  return nlh->nlmsg_len;
}

int
nft_nl_get_set (NftNl *nl, uint8_t family, const char *table, const char *set, NftSetInfo *info)
{
  Args a = { family, table, set, NULL, 0, 0 };
  Request rq = { set_parse, NULL, NULL, 0, 0, info };

  memset (info, 0, sizeof *info);
  return nl_request (nl, build_get_set, &a, &rq);
}

/* Set elements */

static void
counter_of_expr (const struct nlattr *expr, NftElemInfo *info)
{
  const struct nlattr *tb[NFTA_EXPR_MAX + 1], *ctr[NFTA_COUNTER_MAX + 1];
  const char *name;

  parse_nested_attrs (expr, tb, NFTA_EXPR_MAX);
  name = attr_str (tb[NFTA_EXPR_NAME]);
  if (name == NULL || strcmp (name, "counter") != 0 || tb[NFTA_EXPR_DATA] == NULL)
    return;
  parse_nested_attrs (tb[NFTA_EXPR_DATA], ctr, NFTA_COUNTER_MAX);
  if (attr_u64 (ctr[NFTA_COUNTER_BYTES], &info->bytes) == 0
      && attr_u64 (ctr[NFTA_COUNTER_PACKETS], &info->packets) == 0)
    info->has_counter = 1;
}

static int
elem_parse_one (const struct nlattr *elem, Request *rq)
{
  const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1], *key[NFTA_DATA_MAX + 1], *e;
  NftElemInfo info;

  memset (&info, 0, sizeof info);
  parse_nested_attrs (elem, tb, NFTA_SET_ELEM_MAX);
  if (tb[NFTA_SET_ELEM_KEY] == NULL)
    return MNL_CB_OK;
  parse_nested_attrs (tb[NFTA_SET_ELEM_KEY], key, NFTA_DATA_MAX);
  if (key[NFTA_DATA_VALUE] == NULL)
    return MNL_CB_OK;
  info.key = mnl_attr_get_payload (key[NFTA_DATA_VALUE]);
  info.key_len = mnl_attr_get_payload_len (key[NFTA_DATA_VALUE]);
  attr_u32 (tb[NFTA_SET_ELEM_FLAGS], &info.flags);
  if (tb[NFTA_SET_ELEM_EXPR] != NULL)
    counter_of_expr (tb[NFTA_SET_ELEM_EXPR], &info);
  if (tb[NFTA_SET_ELEM_EXPRESSIONS] != NULL)
    mnl_attr_for_each_nested (e, tb[NFTA_SET_ELEM_EXPRESSIONS])
      if (mnl_attr_get_type (e) == NFTA_LIST_ELEM && !info.has_counter)
        counter_of_expr (e, &info);
  return caller_result (rq, ((NftElemFunc) rq->fn) (&info, rq->data));
}

static int
elems_parse (const struct nlmsghdr *nlh, void *data)
{
  Request *rq = data;
  const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1], *elem;

  parse_msg_attrs (nlh, tb, NFTA_SET_ELEM_LIST_MAX);
  if (tb[NFTA_SET_ELEM_LIST_ELEMENTS] == NULL)
    return MNL_CB_OK;
  mnl_attr_for_each_nested (elem, tb[NFTA_SET_ELEM_LIST_ELEMENTS])
    {
      int r;

      if (mnl_attr_get_type (elem) != NFTA_LIST_ELEM)
        continue;
      r = elem_parse_one (elem, rq);
      if (r != MNL_CB_OK)
        return r;
    }
  return MNL_CB_OK;
}

static size_t
build_get_elems (NftNl *nl, uint32_t seq, const void *args)
{
  const Args *a = args;
  struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr (nl->send_buf, NFT_MSG_GETSETELEM, a->family,
                                                NLM_F_DUMP, seq);
  struct nftnl_set *s = set_with_names (a);

  if (s == NULL)
    return 0;
  nftnl_set_elems_nlmsg_build_payload (nlh, s);
  nftnl_set_free (s);
  return nlh->nlmsg_len;
}

int
nft_nl_dump_elems (NftNl *nl, uint8_t family, const char *table, const char *set,
                   NftElemFunc fn, void *data)
{
  Args a = { family, table, set, NULL, 0, 0 };
  Request rq = { elems_parse, (void *) fn, data, 0, 0, NULL };

  return nl_request (nl, build_get_elems, &a, &rq);
}

/* Changing an element: BATCH_BEGIN, NEWSETELEM/DELSETELEM, BATCH_END;
 * only the middle message asks for an acknowledgement, whose sequence
 * number is the one nl_request passes (seq of the batch + 1 is avoided by
 * numbering the inner message with @seq itself). */

static int
ack_parse (const struct nlmsghdr *nlh, void *data)
{
  return MNL_CB_OK;
}

static size_t
build_change_elem (NftNl *nl, uint32_t seq, const void *args)
{
  const Args *a = args;
  struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start (nl->send_buf, sizeof nl->send_buf);
  struct nftnl_set *s = set_with_names (a);
  struct nftnl_set_elem *e = nftnl_set_elem_alloc ();
  struct nlmsghdr *nlh;
  size_t len;

  if (b == NULL || s == NULL || e == NULL)
    {
      if (b != NULL)
        mnl_nlmsg_batch_stop (b);
      if (s != NULL)
        nftnl_set_free (s);
      if (e != NULL)
        nftnl_set_elem_free (e);
      return 0;
    }
  nftnl_batch_begin (mnl_nlmsg_batch_current (b), seq - 1);
  mnl_nlmsg_batch_next (b);
  nftnl_set_elem_set (e, NFTNL_SET_ELEM_KEY, a->key, a->key_len);
  nftnl_set_elem_add (s, e);  /* s owns e now */
  nlh = nftnl_nlmsg_build_hdr (mnl_nlmsg_batch_current (b),
                               a->add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM, a->family,
                               (a->add ? NLM_F_CREATE : 0) | NLM_F_ACK, seq);
  nftnl_set_elems_nlmsg_build_payload (nlh, s);
  nftnl_set_free (s);
  mnl_nlmsg_batch_next (b);
  nftnl_batch_end (mnl_nlmsg_batch_current (b), seq + 1);
  mnl_nlmsg_batch_next (b);
  len = mnl_nlmsg_batch_size (b);
  mnl_nlmsg_batch_stop (b);
  return len;
}

int
nft_nl_change_elem (NftNl *nl, int add, uint8_t family, const char *table, const char *set,
                    const uint8_t *key, uint32_t key_len)
{
  Args a = { family, table, set, key, key_len, add };
  Request rq = { ack_parse, NULL, NULL, 0, 0, NULL };
  int r;

  r = nl_request (nl, build_change_elem, &a, &rq);
  /* Keep the next batch's numbers clear of the end message's. */
  nl->seq++;
  if (!add && r == -ENOENT)
    return 0;
  return r;
}
