#!/usr/bin/env python3
"""po/POTFILES.in against the sources, through po/check-potfiles.py.

First the checker on small trees made here, each with one known fault it
must report (so that a checker reporting nothing would fail), then on the
real tree, which must have none.  TAP output.
"""

import importlib.util
import os
import shutil
import sys
import tempfile

TOP = os.environ.get('IPA_TEST_TOP_SRCDIR') or \
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

spec = importlib.util.spec_from_file_location(
    'check_potfiles', os.path.join(TOP, 'po', 'check-potfiles.py'))
check_potfiles = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_potfiles)

results = []


def report(ok, name, details=()):
    results.append(ok)
    print(f'{"ok" if ok else "not ok"} {len(results)} - {name}')
    for line in details:
        print(f'# {line}')


def make_tree(root, sources, potfiles):
    """A source tree with the real po/xgettext-args, SOURCES (path: text)
    and a POTFILES.in listing POTFILES."""
    os.makedirs(os.path.join(root, 'po'))
    shutil.copy(os.path.join(TOP, 'po', 'xgettext-args'), os.path.join(root, 'po'))
    for rel, text in sources.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
    with open(os.path.join(root, 'po', 'POTFILES.in'), 'w', encoding='utf-8') as f:
        f.write('# comment line\n\n' + ''.join(p + '\n' for p in potfiles))


MARKED = 'void f (void) { g_print (_("hello %s"), "x"); }\n'
PLAIN = 'int g (void) { return 1; }\n'

# name, sources, POTFILES entries, substrings the problems must contain
# (each in some problem, in any order); [] means "no problem at all".
CASES = [
    ('clean tree', {'src/a/a.c': MARKED, 'src/a/b.c': PLAIN}, ['src/a/a.c'], []),
    ('a marking file missing from POTFILES.in',
     {'src/a/a.c': MARKED, 'src/b/c.c': 'x = N_("word");\n'}, ['src/a/a.c'],
     ['src/b/c.c: marks messages for translation but is not in po/POTFILES.in']),
    ('POTFILES.in names a file that does not exist',
     {'src/a/a.c': MARKED}, ['src/a/a.c', 'src/a/gone.c'],
     ['po/POTFILES.in:4: src/a/gone.c does not exist']),
    ('POTFILES.in names a file without messages',
     {'src/a/a.c': MARKED, 'src/a/b.c': PLAIN}, ['src/a/a.c', 'src/a/b.c'],
     ['po/POTFILES.in:4: src/a/b.c marks no message']),
    ('POTFILES.in names a file twice',
     {'src/a/a.c': MARKED}, ['src/a/a.c', 'src/a/a.c'],
     ['po/POTFILES.in:4: src/a/a.c is listed twice']),
    ('plural messages of g_dngettext and ngettext count',
     {'src/a/a.c': 'p = g_dngettext (GETTEXT_PACKAGE, "%u rule", "%u rules", n);\n',
      'src/a/b.h': 'q = ngettext ("one", "many", n);\n'}, [],
     ['src/a/a.c: marks messages', 'src/a/b.h: marks messages']),
    ('_() in a comment, a #define or an identifier does not count',
     {'src/a/a.c': '/* translated with _() */\n#define N_(s) s\nint my_(int);\n'}, [], []),
    ('_(variable) is allowed: its message is marked with N_() elsewhere',
     {'src/a/a.c': 'static const char *t = N_("x");\nvoid f (void) { puts (_(t)); }\n'},
     ['src/a/a.c'], []),
    ('a macro inside a message is reported with its line',
     {'src/a/a.c': 'void f (guint64 v)\n{\n  g_print (_("%" G_GUINT64_FORMAT " bytes"), v);\n}\n'},
     ['src/a/a.c'],
     ['src/a/a.c:3: the message of _() is not made of string literals only '
      '("G_GUINT64_FORMAT" follows a literal)']),
    ('a macro in the plural of g_dngettext is reported',
     {'src/a/a.c': 'p = g_dngettext (GETTEXT_PACKAGE, "%u rule",\n'
                   '                 "%" G_GUINT32_FORMAT " rules", n);\n'},
     ['src/a/a.c'], ['src/a/a.c:2: the message of g_dngettext()']),
    ('string literals split over lines are one message',
     {'src/a/a.c': 'g_print (_("one "\n           "two %s"), s);\n'}, ['src/a/a.c'], []),
    ('a gettext macro xgettext is not told about is reported',
     {'src/a/a.c': 'x = Q_("menu|File");\n'}, [],
     ['src/a/a.c:1: Q_() is not a keyword of po/xgettext-args']),
]

with tempfile.TemporaryDirectory() as tmp:
    for i, (name, sources, potfiles, expected) in enumerate(CASES):
        root = os.path.join(tmp, str(i))
        make_tree(root, sources, potfiles)
        problems = check_potfiles.check(root)
        if expected:
            missed = [e for e in expected if not any(e in p for p in problems)]
            ok = not missed and len(problems) == len(expected)
        else:
            missed = []
            ok = not problems
        report(ok, f'checker: {name}',
               [f'expected: {e}' for e in missed] + [f'got: {p}' for p in problems] if not ok else [])

problems = check_potfiles.check(TOP)
listing = [p for p in problems if 'POTFILES.in' in p]
messages = [p for p in problems if p not in listing]
report(not listing, 'po/POTFILES.in agrees with the sources under src/', listing)
report(not messages, 'every marked message under src/ is extracted whole', messages)

print(f'1..{len(results)}')
sys.exit(0 if all(results) else 1)
