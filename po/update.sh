#!/bin/bash
# update.sh: the one command for translations.  It checks POTFILES.in
# against the sources, extracts the template po/ipa.pot, merges it into
# every catalog of po/LINGUAS and lists, per language, the messages left
# untranslated or fuzzy.  Obsolete entries ("#~") stay in the catalogs:
# msgmerge brings one back, translated, when its message returns.
#
# Usage: po/update.sh [--check]
#   --check   change nothing in the tree: extract and merge into a temporary
#             directory, only report (what tests/po does, for a person)
#
# Exit status: 0 when POTFILES.in agrees with the sources and every catalog
# is complete, 1 when something is left to do, 2 on a usage or tool error.
#
# After it, translate the entries listed (search the catalog for the
# "#, fuzzy" flag; --previous keeps the old msgid of a fuzzy entry as
# "#| msgid" to show what changed), remove the fuzzy flag and run it again.
set -euo pipefail

check_only=0
case "${1:-}" in
  "") ;;
  --check) check_only=1 ;;
  -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
  *) echo "update.sh: unknown argument \"$1\" (see --help)" >&2; exit 2 ;;
esac

po_dir=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$po_dir")
domain=ipa

for tool in xgettext msgmerge msgattrib msgfmt; do
  if ! command -v "$tool" >/dev/null; then
    echo "update.sh: $tool not found (Debian package gettext)" >&2
    exit 2
  fi
done

if [ "$check_only" -eq 1 ]; then
  out_dir=$(mktemp -d)
  trap 'rm -rf "$out_dir"' EXIT
else
  out_dir=$po_dir
fi

status=0

echo "== POTFILES.in"
if potfiles_problems=$(python3 "$po_dir/check-potfiles.py" "$top"); then
  echo "agrees with the sources"
else
  [ -n "$potfiles_problems" ] || exit 2   # the checker itself failed
  printf '%s\n' "$potfiles_problems"
  status=1
fi

# The options of xgettext, shared with po/meson.build and tests/po.
mapfile -t xgettext_args < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$po_dir/xgettext-args")
version=$(sed -n "s/^[[:space:]]*version:[[:space:]]*'\([^']*\)'.*/\1/p" "$top/meson.build" | head -n 1)

pot=$out_dir/$domain.pot
xgettext "${xgettext_args[@]}" --package-name="$domain" --package-version="${version:-0}" \
  --directory="$top" --files-from="$po_dir/POTFILES.in" --output="$pot"
echo "== $domain.pot: $(grep -c '^msgid ' "$pot" | awk '{print $1 - 1}') messages" \
     "$([ "$check_only" -eq 1 ] && echo '(not written, --check)' || echo "written to $pot")"

# Entries of PO matching one selection of msgattrib, as "file:line: msgid".
list_entries () {
  local po=$1; shift
  msgattrib "$@" --no-obsolete --no-wrap "$po" |
    awk '/^#: / { where = $2 } /^msgid "/ && $0 != "msgid \"\"" { print "  " where ": " substr($0, 7) }'
}

read -r -a langs <<<"$(sed 's/#.*//' "$po_dir/LINGUAS" | tr '\n' ' ')"
for lang in "${langs[@]}"; do
  src_po=$po_dir/$lang.po
  merged=$out_dir/$lang.po
  echo "== $lang.po"
  if [ ! -f "$src_po" ]; then
    echo "missing: create it with msginit --input=po/$domain.pot --locale=$lang" \
         "--output-file=po/$lang.po (after po/update.sh without --check)"
    status=1
    continue
  fi
  msgmerge --quiet --previous --output-file="$merged" "$src_po" "$pot"
  stats=$(msgfmt --check --statistics --output-file=/dev/null "$merged" 2>&1) || {
    printf '%s\n' "$stats"
    status=1
    continue
  }
  echo "$stats"
  echo "obsolete entries kept: $(grep -c '^#~ msgid ' "$merged" || true)"
  untranslated=$(list_entries "$merged" --untranslated)
  fuzzy=$(list_entries "$merged" --only-fuzzy)
  if [ -n "$untranslated" ]; then
    echo "untranslated:"
    printf '%s\n' "$untranslated"
    status=1
  fi
  if [ -n "$fuzzy" ]; then
    echo "fuzzy (check the translation, then remove the flag):"
    printf '%s\n' "$fuzzy"
    status=1
  fi
done

exit "$status"
