/*
 * ipa-dbus-autorule.c: org.ipasystem.Ipa1.Autorule, and creating dynamic
 * rules (also for Manager.CreateRule).
 */
#include "config.h"

#include "ipa-dbus-private.h"

#include <glib/gi18n.h>
#include <string.h>

/* Names become file names of the databases (NAME_MAX); an info is one
 * line of text. */
#define MAX_NAME_BYTES 255
#define MAX_INFO_BYTES 4096

typedef struct {
  const char *autorule;
  GVariantBuilder *builder;
} RulesCtx;

static void
add_if_from (IpaRule *rule, gpointer user_data)
{
  RulesCtx *ctx = user_data;
  const char *autorule = ipa_rule_get_autorule (rule);

  if (autorule != NULL && strcmp (autorule, ctx->autorule) == 0)
    {
      g_autofree char *path = ipa_dbus_rule_path (ipa_rule_get_name (rule));

      g_variant_builder_add (ctx->builder, "o", path);
    }
}

GVariant *
ipa_dbus_autorule_rules (IpaDbusService *s, const char *autorule)
{
  GVariantBuilder b;
  RulesCtx ctx = { autorule, &b };

  g_variant_builder_init (&b, G_VARIANT_TYPE_OBJECT_PATH_ARRAY);
  ipa_engine_foreach_rule (s->engine, add_if_from, &ctx);
  return g_variant_builder_end (&b);
}

gboolean
ipa_dbus_autorule_create (IpaDbusCall *call, const char *autorule, const char *name,
                          const char *info, GError **error)
{
  IpaDbusService *s = call->service;
  GError *engine_error = NULL;
  g_autofree char *path = NULL;
  IpaRule *rule;

  if (strlen (name) > MAX_NAME_BYTES)
    {
      g_set_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_INVALID_VALUE,
                   _("a rule name may have at most %d bytes"), MAX_NAME_BYTES);
      return FALSE;
    }
  if (strlen (info) > MAX_INFO_BYTES)
    {
      g_set_error (error, IPA_DBUS_ERROR, IPA_DBUS_ERROR_INVALID_VALUE,
                   _("a rule info may have at most %d bytes"), MAX_INFO_BYTES);
      return FALSE;
    }
  rule = ipa_engine_create_rule (s->engine, autorule, name, *info != '\0' ? info : NULL,
                                 &engine_error);
  if (rule == NULL)
    {
      ipa_dbus_error_from_engine (error, engine_error);
      return FALSE;
    }
  ipa_dbus_wakeup (s);
  path = ipa_dbus_rule_path (ipa_rule_get_name (rule));
  g_dbus_method_invocation_return_value (g_steal_pointer (&call->invocation),
                                         g_variant_new ("(o)", path));
  return TRUE;
}

static GVariant *
autorule_get_property (IpaDbusService *s, const IpaDbusTarget *t, const char *name)
{
  if (strcmp (name, "Name") == 0)
    return g_variant_new_string (t->autorule->name);
  if (strcmp (name, "Rules") == 0)
    return ipa_dbus_autorule_rules (s, t->autorule->name);
  return NULL;
}

/* CreateRule(s name, s info) -> o */
static gboolean
autorule_create_rule (IpaDbusCall *call, GVariant *params, GError **error)
{
  const char *name, *info;

  g_variant_get (params, "(&s&s)", &name, &info);
  return ipa_dbus_autorule_create (call, call->target.autorule->name, name, info, error);
}

static const IpaDbusMethod autorule_methods[] = {
  { "CreateRule", IPA_DBUS_ACCESS_RULE, IPA_DBUS_TARGET_PATH, 0, autorule_create_rule },
};

const IpaDbusInterface ipa_dbus_autorule_interface = {
  .kind = IPA_DBUS_KIND_AUTORULE,
  .name = IPA_DBUS_IFACE_AUTORULE,
  .methods = autorule_methods,
  .n_methods = G_N_ELEMENTS (autorule_methods),
  .get_property = autorule_get_property,
};
