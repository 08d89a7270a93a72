#!/bin/bash
# test-installed-header.sh: an outside module builds against the installed
# ipa_mod.h, found through "pkg-config --cflags ipa-mod".
#
# Installs the build tree into a temporary DESTDIR, then compiles the
# modules of tests/modules/installed/ (one per kind) as C99, C11 and C++
# with warnings as errors, and checks that each exports its symbol.

set -euo pipefail

top_builddir=${IPA_TEST_TOP_BUILDDIR:?IPA_TEST_TOP_BUILDDIR is not set}
srcdir=${IPA_TEST_SRCDIR:?IPA_TEST_SRCDIR is not set}
cc=${CC:-cc}
cxx=${CXX:-c++}
warn=(-Wall -Wextra -Werror -pedantic -shared -fPIC)

fail () {
    echo "FAIL: $*" >&2
    exit 1
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

meson install -C "$top_builddir" --no-rebuild --destdir "$root" --quiet >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "meson install failed"; }

header=$(find "$root" -name ipa_mod.h -print -quit)
[ -n "$header" ] || fail "ipa_mod.h was not installed"
pc=$(find "$root" -name ipa-mod.pc -print -quit)
[ -n "$pc" ] || fail "ipa-mod.pc was not installed"

# Only the installed .pc file, with its paths moved under DESTDIR; keep
# -I even for a system include directory, so that it points into $root.
unset PKG_CONFIG_PATH
export PKG_CONFIG_LIBDIR=${pc%/*}
export PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
cflags=$(pkg-config --cflags ipa-mod) || fail "pkg-config --cflags ipa-mod failed"
found=
for flag in $cflags; do
    case $flag in
        -I*) [ -f "${flag#-I}/ipa_mod.h" ] && found=${flag#-I}/ipa_mod.h ;;
    esac
done
case $found in
    "$root"/*) ;;
    *) fail "pkg-config --cflags ipa-mod does not point at the installed header: '$cflags'" ;;
esac
moduledir=$(pkg-config --variable=moduledir ipa-mod)
[ -n "$moduledir" ] || fail "ipa-mod.pc has no moduledir variable"

echo "# cflags: $cflags"
echo "# header: $header"

n=0
for kind in ac db st; do
    src=$srcdir/modules/installed/inst_$kind.c
    sym=inst_${kind}_${kind}_mod
    [ -f "$src" ] || fail "$src is missing"
    for lang in c99 c11 c++; do
        out=$tmp/$lang/inst_$kind.so
        mkdir -p "$tmp/$lang"
        case $lang in
            c99|c11)
                # shellcheck disable=SC2086 # cflags is a word list
                "$cc" -std=$lang "${warn[@]}" $cflags -o "$out" "$src" ||
                    fail "inst_$kind.c does not build as $lang against the installed header" ;;
            c++)
                # shellcheck disable=SC2086
                "$cxx" -x c++ "${warn[@]}" $cflags -o "$out" "$src" ||
                    fail "inst_$kind.c does not build as C++ against the installed header" ;;
        esac
        nm -D --defined-only "$out" | awk '{ print $NF }' | grep -qx "$sym" ||
            fail "inst_$kind.so ($lang) does not export $sym"
        echo "ok: inst_$kind.so ($lang) exports $sym"
        n=$((n + 1))
    done
done

[ "$n" -eq 9 ] || fail "built $n modules, expected 9"
echo "PASS: 9 modules built against the installed ipa_mod.h"
