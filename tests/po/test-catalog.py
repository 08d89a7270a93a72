#!/usr/bin/env python3
"""po/ru.po against a template extracted now from the sources.

The template is extracted into a temporary directory the way po/update.sh
and the build do (po/xgettext-args, po/POTFILES.in); ru.po is merged into
it there, and the merged catalog must have every message translated,
none fuzzy, and pass msgfmt --check.  Nothing in the tree is written.
TAP output.
"""

import ast
import os
import re
import subprocess
import sys
import tempfile

TOP = os.environ.get('IPA_TEST_TOP_SRCDIR') or \
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PO = os.path.join(TOP, 'po')
LANG = 'ru'
RU_PLURAL = ('nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && '
             '(n%100<10 || n%100>=20) ? 1 : 2);')

results = []


def report(ok, name, details=()):
    results.append(ok)
    print(f'{"ok" if ok else "not ok"} {len(results)} - {name}')
    for line in details if not ok else ():
        for part in str(line).rstrip('\n').split('\n'):
            print(f'# {part}')


def run(*args):
    """(status, stdout, stderr) of a gettext tool."""
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def parse_po(path):
    """Active (not obsolete) entries of a PO file as dicts: msgid,
    msgid_plural, msgstr (list of forms), flags, where."""
    code, text, err = run('msgattrib', '--no-wrap', '--no-obsolete', path)
    if code != 0:
        raise RuntimeError(err)
    entries = []
    for block in text.split('\n\n'):
        e = {'msgid': None, 'msgid_plural': None, 'msgstr': [], 'flags': '', 'where': ''}
        key = None
        for line in block.split('\n'):
            if line.startswith('#:') and not e['where']:
                e['where'] = line[3:].split(' ')[0]
            elif line.startswith('#,'):
                e['flags'] = line
            elif line.startswith('"') and key is not None:
                value = ast.literal_eval(line)
                if key == 'msgstr':
                    e['msgstr'][-1] += value
                else:
                    e[key] += value
            elif line.startswith(('msgid ', 'msgid_plural ', 'msgstr ', 'msgstr[')):
                word, _, rest = line.partition(' ')
                value = ast.literal_eval(rest)
                if word.startswith('msgstr'):
                    key = 'msgstr'
                    e['msgstr'].append(value)
                else:
                    key = word
                    e[word] = value
        if e['msgid'] is not None:
            entries.append(e)
    return entries


def quote(s):
    """A PO string literal."""
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'


def untranslated_and_fuzzy(entries):
    untranslated = [e for e in entries if e['msgid'] and not all(e['msgstr'])]
    fuzzy = [e for e in entries if e['msgid'] and 'fuzzy' in e['flags']]
    return untranslated, fuzzy


def describe(entries):
    return [f'{e["where"]}: {e["msgid"]!r}' for e in entries]


def xgettext_args():
    with open(os.path.join(PO, 'xgettext-args'), encoding='utf-8') as f:
        return [l.strip() for l in f if l.strip() and not l.lstrip().startswith('#')]


with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, 'ipa.pot')
    code, out, err = run('xgettext', *xgettext_args(), '--package-name=ipa',
                         '--directory=' + TOP, '--files-from=' + os.path.join(PO, 'POTFILES.in'),
                         '--output=' + pot)
    template = parse_po(pot) if code == 0 else []
    n_messages = sum(1 for e in template if e['msgid'])
    report(code == 0 and n_messages > 0,
           f'template extracted from the sources: {n_messages} messages', [err] if err else [])

    with open(os.path.join(PO, 'LINGUAS'), encoding='utf-8') as f:
        linguas = f.read().split()
    report(LANG in linguas, f'po/LINGUAS names {LANG}', [f'LINGUAS: {linguas}'])

    src_po = os.path.join(PO, LANG + '.po')
    code, out, err = run('msgfmt', '--check', '--output-file=' + os.devnull, src_po)
    report(code == 0, f'po/{LANG}.po as committed passes msgfmt --check', [err] if err else [])

    header = next((e['msgstr'][0] for e in parse_po(src_po) if e['msgid'] == ''), '')
    want = [f'Language: {LANG}', 'charset=UTF-8', f'Plural-Forms: {RU_PLURAL}']
    report(all(w in header for w in want), f'po/{LANG}.po header: language, charset, Russian plural forms',
           [f'missing: {w}' for w in want if w not in header])

    merged = os.path.join(tmp, LANG + '.po')
    code, out, err = run('msgmerge', '--quiet', '--output-file=' + merged, src_po, pot)
    report(code == 0, f'msgmerge po/{LANG}.po with the template', [err] if err else [])

    code, out, err = run('msgfmt', '--check', '--statistics', '--output-file=' + os.devnull, merged)
    report(code == 0, f'merged catalog passes msgfmt --check ({err.strip()})', [err] if code else [])

    entries = parse_po(merged)
    untranslated, fuzzy = untranslated_and_fuzzy(entries)
    report(not untranslated, f'no untranslated message ({len(untranslated)})',
           describe(untranslated) + (['run po/update.sh and translate them'] if untranslated else []))
    report(not fuzzy, f'no fuzzy message ({len(fuzzy)})',
           describe(fuzzy) + (['run po/update.sh, check them and remove the fuzzy flag']
                              if fuzzy else []))

    # An English sentence left as its own "translation" is not translated.
    copied = [e for e in entries if e['msgid'] and e['msgstr'] and e['msgstr'][0] == e['msgid']
              and re.search(r'[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}', e['msgid'])]
    report(not copied, 'no English sentence copied as its translation', describe(copied))

    # The same merge must see a message the catalog lacks and a message
    # that changed a little: the checks above can fail.
    base = next(e['msgid'] for e in template if len(e['msgid']) > 30 and not e['msgid_plural'])
    extra_pot = os.path.join(tmp, 'extra.pot')
    with open(pot, encoding='utf-8') as f:
        text = f.read()
    with open(extra_pot, 'w', encoding='utf-8') as f:
        f.write(text + '\n#: nowhere.c:1\nmsgid "a message no catalog has yet"\nmsgstr ""\n'
                + '\n#: nowhere.c:2\nmsgid ' + quote(base + ' again') + '\nmsgstr ""\n')
    extra_merged = os.path.join(tmp, 'extra.po')
    run('msgmerge', '--quiet', '--output-file=' + extra_merged, src_po, extra_pot)
    extra_untranslated, extra_fuzzy = untranslated_and_fuzzy(parse_po(extra_merged))
    report(len(extra_untranslated) == len(untranslated) + 1,
           'a message added to the template shows as untranslated', describe(extra_untranslated))
    report(len(extra_fuzzy) == len(fuzzy) + 1,
           'a message changed in the template shows as fuzzy', describe(extra_fuzzy))

print(f'1..{len(results)}')
sys.exit(0 if all(results) else 1)
