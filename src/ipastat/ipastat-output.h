/*
 * ipastat-output.h: writing a result in one of the output formats.
 *
 *   table  for people: a few "Key: value" lines per block, then a table
 *          with borders (rule records with their total, lists) or the
 *          fields of each limit or threshold state; counters in the
 *          block's value_units
 *   plain  one line per row, fields separated by single spaces, no
 *          titles: the CSV fields of the row preceded by its section name
 *          (record, limit, threshold, list), "-" for an empty field
 *   csv    quoted as RFC 4180 says, lines end with LF; one section per
 *          kind of row, each with its header line, sections separated by
 *          an empty line
 *   json   one object {"format_version": N, "results": [...]}
 *
 * The machine formats (plain, csv, json) always carry raw integers and
 * ISO 8601 dates (local time, as the database has them).
 */
#pragma once

#include <glib.h>
#include "ipastat-query.h"
#include "ipastat-result.h"

G_BEGIN_DECLS

/* Raised whenever the JSON layout changes incompatibly. */
#define IPASTAT_JSON_FORMAT_VERSION 1

void ipastat_output_format (GString *out, const IpastatResult *result,
                            IpastatFormat format);

/* One per format (ipastat-output-*.c). */
void ipastat_output_table (GString *out, const IpastatResult *result);
void ipastat_output_csv (GString *out, const IpastatResult *result,
                         gboolean plain);
void ipastat_output_json (GString *out, const IpastatResult *result);

/* Shared by the formats: names of the limit event dates, in
 * event_date[] order, for the machine formats ("start", …) and for
 * people ("Started", …). */
extern const char *const ipastat_limit_event_keys[IPA_LIMIT_EVENT_NUM];
extern const char *const ipastat_limit_event_titles[IPA_LIMIT_EVENT_NUM];

G_END_DECLS
