#!/bin/bash
# test-man.sh: the manual pages of man/.  TAP.
#
#  - "meson install" installs every page of man/ to the section its
#    suffix names, and installs no page that man/ does not have;
#  - every page (as built, with the paths of this build) renders with
#    "man -l" and "groff -man -ww" without a single warning, fits in 80
#    columns, has the sections every page must have, is understood by
#    lexgrog (whatis), and refers only to pages of ipa that exist;
#  - every example marked in a page by a line before its .EX block is
#    right: after '.\" test: cc NAME.so' a C module that compiles without
#    a warning into NAME.so; after '.\" test: ipa -t' (ipastat -t) a
#    configuration that "ipa -t" ("ipastat -t") accepts without a message,
#    with the modules of the C examples in IPA_MODULE_DIR.
set -u

top_src=${IPA_TEST_TOP_SRCDIR:?IPA_TEST_TOP_SRCDIR is not set}
top_build=${IPA_TEST_TOP_BUILDDIR:?IPA_TEST_TOP_BUILDDIR is not set}
IPA=$top_build/src/ipa/ipa
IPASTAT=$top_build/src/ipastat/ipastat
src_dir=$top_src/man
build_dir=$top_build/man
# Every page must have these sections (ipa's rule for its pages).
required_sections=(NAME SYNOPSIS DESCRIPTION FILES EXAMPLES "SEE ALSO")
width=80

tap_n=0
tap_fail=0
ok () { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
not_ok () { tap_n=$((tap_n + 1)); tap_fail=1; echo "not ok $tap_n - $1"; }
diag () { echo "# $*"; }
# show FILE: a file's lines as TAP comments.
show () { sed 's/^/#   /' "$1"; }

tmp=$(mktemp -d /tmp/ipa-man.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# The same rendering whatever the caller's locale and terminal.
export LC_ALL=C.UTF-8 MANWIDTH=$width
unset MANPAGER PAGER MANOPT

for prog in man groff lexgrog meson; do
  if ! command -v "$prog" >/dev/null; then
    echo "1..0 # SKIP $prog is missing (tools/setup.sh installs man-db and groff-base)"
    exit 0
  fi
done

# The pages: files NAME.N of man/ (N a section digit).
pages=()
for f in "$src_dir"/*.[1-9]; do
  [ -f "$f" ] && pages+=("${f##*/}")
done
if [ ${#pages[@]} -eq 0 ]; then
  not_ok "man/ holds manual pages"
  echo "1..$tap_n"
  exit 1
fi
diag "${#pages[@]} pages: ${pages[*]}"
if [ ! -d "$build_dir" ]; then
  not_ok "man/ is part of the build (the top meson.build needs subdir('man'))"
  echo "1..$tap_n"
  exit 1
fi

# ---- installation ----

dest=$tmp/dest
if meson install -C "$top_build" --no-rebuild --destdir "$dest" --quiet >"$tmp/install.log" 2>&1; then
  ok "meson install --destdir"
else
  show "$tmp/install.log"
  not_ok "meson install --destdir"
fi
# Installed pages: DIR/manN/FILE.
find "$dest" -type f -path '*/man/man[1-9]*/*' >"$tmp/installed"
for page in "${pages[@]}"; do
  section=${page##*.}
  inst=$(grep -E "/man/man$section/$(printf '%s' "$page" | sed 's/[.]/[.]/g')\$" "$tmp/installed" | head -n 1)
  if [ -z "$inst" ]; then
    not_ok "$page is installed in man$section (is it in man/meson.build, and man/ in the build?)"
  elif ! cmp -s "$inst" "$build_dir/$page"; then
    not_ok "$page is installed as built"
  else
    ok "$page is installed in man$section"
  fi
done
extra=0
while read -r inst; do
  name=${inst##*/}
  if [ ! -f "$src_dir/$name" ]; then
    not_ok "installed page $name has a source in man/"
    extra=1
  fi
done <"$tmp/installed"
[ $extra -eq 0 ] && ok "every installed page has a source in man/"

# ---- each page ----

# known: the pages as " name(section) ", for references.
known=" "
for page in "${pages[@]}"; do
  known+="${page%.*}(${page##*.}) "
done

for page in "${pages[@]}"; do
  file=$build_dir/$page
  name=${page%.*}
  section=${page##*.}
  if [ ! -f "$file" ]; then
    not_ok "$page is built in $build_dir"
    continue
  fi

  if grep -nE '@[A-Z_]+@' "$file" >"$tmp/left"; then
    show "$tmp/left"
    not_ok "$page: every @VARIABLE@ is filled in"
  else
    ok "$page: every @VARIABLE@ is filled in"
  fi

  # .TH NAME SECTION: the file's name, upper case, and its suffix.
  th=$(grep -m 1 '^\.TH ' "$file")
  read -r _ th_title th_section _ <<<"$th"
  th_title=${th_title//\"/}
  th_section=${th_section//\"/}
  if [ "${th_title,,}" = "${name,,}" ] && [ "$th_section" = "$section" ]; then
    ok "$page: .TH names it"
  else
    not_ok "$page: .TH names it (found \"$th\")"
  fi

  missing=()
  for s in "${required_sections[@]}"; do
    grep -qE "^\.SH \"?$s\"?\$" "$file" || missing+=("$s")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    ok "$page: has ${required_sections[*]}"
  else
    not_ok "$page: lacks ${missing[*]}"
  fi

  if groff -man -ww -z "$file" >"$tmp/groff.out" 2>&1 && [ ! -s "$tmp/groff.out" ]; then
    ok "$page: groff -man -ww is silent"
  else
    show "$tmp/groff.out"
    not_ok "$page: groff -man -ww is silent"
  fi

  if man --warnings=w -l -P cat "$file" >"$tmp/page.txt" 2>"$tmp/man.err" &&
     [ ! -s "$tmp/man.err" ] && [ -s "$tmp/page.txt" ]; then
    ok "$page: man -l renders it without a warning"
  else
    show "$tmp/man.err"
    not_ok "$page: man -l renders it without a warning"
  fi
  if grep -nE "^.{$((width + 1)),}" "$tmp/page.txt" >"$tmp/wide"; then
    show "$tmp/wide"
    not_ok "$page: every line fits in $width columns"
  else
    ok "$page: every line fits in $width columns"
  fi

  # whatis: "NAME - description".
  if lexgrog "$file" >"$tmp/lexgrog" 2>&1 &&
     grep -qE "^[^:]*: \"$(printf '%s' "$name" | sed 's/[.]/[.]/g')(,[^\"]*)? - " "$tmp/lexgrog"; then
    ok "$page: lexgrog reads its NAME"
  else
    show "$tmp/lexgrog"
    not_ok "$page: lexgrog reads its NAME"
  fi

  # References to pages of ipa: .BR name (N) and \fBname\fP(N).
  bad=()
  while read -r ref; do
    case $known in
      *" $ref "*) ;;
      *) bad+=("$ref") ;;
    esac
  done < <(sed -nE -e 's/^\.BR (ipa[a-z_.]*|org\.ipasystem\.[A-Za-z0-9.]*) \(([1-9])\).*/\1(\2)/p' \
                   -e 's/.*\\fB(ipa[a-z_.]*|org\.ipasystem\.[A-Za-z0-9.]*)\\f[PR]\(([1-9])\).*/\1(\2)/p' \
                   "$file")
  if [ ${#bad[@]} -eq 0 ]; then
    ok "$page: refers only to pages of ipa that exist"
  else
    not_ok "$page: refers to missing pages: ${bad[*]}"
  fi
done

# ---- examples ----

# Every block after a marker line is written to $tmp/ex/PAGE.N.KIND
# (KIND: ipa, ipastat or cc; a cc block names its module file in
# $tmp/ex/PAGE.N.cc.name), with the troff escapes of examples undone.
mkdir -p "$tmp/ex" "$tmp/modules"
n_marks=0
for page in "${pages[@]}"; do
  file=$build_dir/$page
  [ -f "$file" ] || continue
  n_marks=$((n_marks + $(grep -cE '^\.\\" test: (ipa -t|ipastat -t|cc [A-Za-z0-9_.-]+\.so)$' "$file")))
  awk -v prefix="$tmp/ex/$page" '
    /^\.\\" test: (ipa|ipastat) -t$/ { want = $3; name = ""; next }
    /^\.\\" test: cc [A-Za-z0-9_.-]+\.so$/ { want = "cc"; name = $4; next }
    want != "" && /^\.EX$/ {
      n++; out = prefix "." n "." want; inside = 1
      if (name != "") print name > (out ".name")
      want = ""; next
    }
    inside && /^\.EE$/ { close(out); inside = 0; next }
    inside { print > out }
  ' "$file"
done
# unescape IN OUT: the text of an example as a reader copies it.
unescape () {
  sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' \
      -e 's/\\&//g' -e 's/\\e/\\/g' "$1" >"$2"
}
# no_requests EX: an example holds text only.
no_requests () {
  if grep -nE '^[.'"'"']' "$1" >"$tmp/requests"; then
    show "$tmp/requests"
    return 1
  fi
}

n_checked=0
# C examples first: the configurations may load the modules they make.
for ex in "$tmp"/ex/*.cc; do
  [ -f "$ex" ] || continue
  n_checked=$((n_checked + 1))
  what=${ex##*/}
  module=$(cat "$ex.name")
  if ! no_requests "$ex"; then
    not_ok "example $what holds no troff request"
    continue
  fi
  unescape "$ex" "$ex.c"
  if ${CC:-cc} -std=c11 -Wall -Wextra -Werror -pedantic -shared -fPIC \
       -I"$top_src/src/include" -o "$tmp/modules/$module" "$ex.c" >"$tmp/cc.out" 2>&1; then
    ok "example $what compiles into $module"
  else
    show "$tmp/cc.out"
    not_ok "example $what compiles into $module"
  fi
done
export IPA_MODULE_DIR=$tmp/modules${IPA_MODULE_DIR:+:$IPA_MODULE_DIR}

for ex in "$tmp"/ex/*.ipa "$tmp"/ex/*.ipastat; do
  [ -f "$ex" ] || continue
  n_checked=$((n_checked + 1))
  what=${ex##*/}
  prog=${ex##*.}
  if ! no_requests "$ex"; then
    not_ok "example $what holds no troff request"
    continue
  fi
  unescape "$ex" "$ex.conf"
  if [ "$prog" = ipa ]; then
    cmd=("$IPA" -t -f "$ex.conf")
  else
    cmd=("$IPASTAT" -t -f "$ex.conf")
  fi
  if "${cmd[@]}" >"$tmp/check.out" 2>&1 && [ ! -s "$tmp/check.out" ]; then
    ok "example $what passes $prog -t"
  else
    show "$tmp/check.out"
    diag "the example as checked:"
    show "$ex.conf"
    not_ok "example $what passes $prog -t"
  fi
done
if [ "$n_checked" -gt 0 ] && [ "$n_checked" -eq "$n_marks" ]; then
  ok "every marked example was checked ($n_checked)"
else
  not_ok "every marked example was checked ($n_checked of $n_marks)"
fi

echo "1..$tap_n"
exit $tap_fail
