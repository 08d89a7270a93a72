#!/usr/bin/env python3
"""Check po/POTFILES.in against the sources that mark messages.

Usage: check-potfiles.py [ROOT]

ROOT is the top of the source tree (default: the parent of this script's
directory).  Every C file under ROOT/src that calls a keyword of
po/xgettext-args (_(), N_(), C_(), g_dngettext(), ...) must be listed in
po/POTFILES.in, and every line of POTFILES.in must name an existing file
that calls one.  A message must also be made of string literals only:
xgettext stops at a macro such as G_GUINT64_FORMAT, so "%" G_GUINT64_FORMAT
would never be translated.  Calls of gettext functions xgettext is not told
about (ngettext(), dgettext(), ...) are reported too.

Prints one problem a line, FILE:LINE: message, and exits with status 1 when
there is any, 0 otherwise.
"""

import os
import re
import sys

# Comments and literals, in one pass, so that "/*" inside a string and a
# quote inside a comment are both read right.
TOKEN_RE = re.compile(r'''
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<char>'(?:\\.|[^'\\\n])*')
''', re.S | re.X)

# GLib's gettext macros that xgettext-args does not name (they need special
# keyword specs): their messages would silently stay out of the template.
UNEXTRACTED = ('g_dpgettext', 'Q_', 'g_strip_context')


def read_keywords(args_file):
    """Keyword name -> argument numbers holding messages, from --keyword=."""
    keywords = {}
    with open(args_file, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line.startswith('--keyword='):
                continue
            spec = line[len('--keyword='):]
            name, _, numbers = spec.partition(':')
            args = []
            for part in numbers.split(','):
                part = part.strip()
                if part.isdigit():      # not "1c" (a context) nor "3t"
                    args.append(int(part))
            keywords[name] = args or [1]
    return keywords


def strip_comments(text):
    """Blank out comments (keeping newlines) so line numbers stay right."""
    def blank(m):
        if m.group('comment') is not None:
            return re.sub(r'[^\n]', ' ', m.group('comment'))
        return m.group(0)
    return TOKEN_RE.sub(blank, text)


def blank_preprocessor(text):
    """Blank out preprocessor lines (with their continuations): a #define of
    a keyword is not a call."""
    out = []
    continued = False
    for line in text.split('\n'):
        if continued or line.lstrip().startswith('#'):
            continued = line.endswith('\\')
            out.append(' ' * len(line))
        else:
            out.append(line)
    return '\n'.join(out)


def call_arguments(text, start):
    """The top-level arguments of the call whose '(' is at text[start],
    each as (offset, text), or None when the call is not closed."""
    depth = 0
    args = []
    arg_start = start + 1
    i = start
    while i < len(text):
        c = text[i]
        if c in '"\'':
            m = TOKEN_RE.match(text, i)
            i = m.end() if m else i + 1
            continue
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
            if depth == 0:
                args.append((arg_start, text[arg_start:i]))
                return args
        elif c == ',' and depth == 1:
            args.append((arg_start, text[arg_start:i]))
            arg_start = i + 1
        i += 1
    return None


LITERALS_ONLY_RE = re.compile(r'\s*(?:"(?:\\.|[^"\\\n])*"\s*)+\Z')


def check_message_argument(arg):
    """None when the argument is fine; else the first token that is not a
    string literal in an argument that starts as a message."""
    if '"' not in arg:
        return None          # _(variable): a message marked elsewhere with N_()
    if LITERALS_ONLY_RE.match(arg):
        return None
    rest = re.sub(r'"(?:\\.|[^"\\\n])*"', ' ', arg)
    token = re.search(r'[A-Za-z_]\w*|\S', rest)
    return token.group(0) if token else '?'


def scan_file(path, rel, keywords):
    """(marks messages?, problems) of one source file."""
    with open(path, encoding='utf-8', errors='replace') as f:
        text = blank_preprocessor(strip_comments(f.read()))
    problems = []
    marks = False
    names = '|'.join(re.escape(k) for k in sorted(keywords, key=len, reverse=True))
    for m in re.finditer(r'(?<![\w.>])(' + names + r')\s*\(', text):
        marks = True
        args = call_arguments(text, m.end() - 1)
        if args is None:
            continue
        for number in keywords[m.group(1)]:
            if number > len(args):
                continue
            offset, arg = args[number - 1]
            bad = check_message_argument(arg)
            if bad is not None:
                start = offset + len(arg) - len(arg.lstrip())
                line = text.count('\n', 0, start) + 1
                problems.append(
                    f'{rel}:{line}: the message of {m.group(1)}() is not made of string '
                    f'literals only ("{bad}" follows a literal): xgettext cuts the message '
                    f'there and the program never finds its translation; '
                    f'use a plain conversion such as %zu or %llu with a cast')
    for m in re.finditer(r'(?<![\w.>])(' + '|'.join(UNEXTRACTED) + r')\s*\(', text):
        line = text.count('\n', 0, m.start()) + 1
        problems.append(f'{rel}:{line}: {m.group(1)}() is not a keyword of po/xgettext-args: '
                        f'its message is not extracted; use _(), N_(), C_() or g_dngettext()')
    return marks, problems


def read_potfiles(path):
    """[(line number, relative path)] of POTFILES.in, without comments."""
    entries = []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.split('#', 1)[0].strip()
            if line:
                entries.append((number, line))
    return entries


def check(root):
    root = os.path.abspath(root)
    problems = []
    keywords = read_keywords(os.path.join(root, 'po', 'xgettext-args'))
    potfiles_path = os.path.join(root, 'po', 'POTFILES.in')
    entries = read_potfiles(potfiles_path)

    marking = set()
    for directory, dirs, files in os.walk(os.path.join(root, 'src')):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, root)
            marks, file_problems = scan_file(path, rel, keywords)
            problems += file_problems
            if marks:
                marking.add(rel)

    listed = {}
    for number, rel in entries:
        where = f'po/POTFILES.in:{number}'
        if rel in listed:
            problems.append(f'{where}: {rel} is listed twice (first on line {listed[rel]})')
            continue
        listed[rel] = number
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            problems.append(f'{where}: {rel} does not exist')
        elif rel not in marking:
            # A file outside src/ is scanned only because it is listed.
            marks, file_problems = scan_file(path, rel, keywords)
            if not rel.startswith('src/'):
                problems += file_problems
            if not marks:
                problems.append(f'{where}: {rel} marks no message for translation: '
                                f'remove it from POTFILES.in')
    for rel in sorted(marking - set(listed)):
        problems.append(f'{rel}: marks messages for translation but is not in po/POTFILES.in')
    return problems


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = check(root)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
