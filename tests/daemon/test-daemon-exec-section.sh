#!/bin/bash
# test-daemon-exec-section.sh: ipa -x, the grammar of ipa(8) form 5, run
# through the program.  TAP output.
set -u
. "${IPA_TEST_TOP_SRCDIR:?}/tests/daemon/daemon-lib.sh"

outf=$tmp/out
trace=$tmp/trace
conf=$tmp/ipa.conf
# Each command writes its tag and the environment ipa gives it.
cmd () { echo "exec \"echo $1 \$IPA_RULE/\$IPA_LIMIT/\$IPA_SUBLIMIT/\$IPA_THRESHOLD/\$IPA_EVENT >> $outf\";"; }
cat >"$conf" <<EOF
ac_mod "ipa_atest.so";
atest:trace = "$trace";
global { ac_list = atest; }
startup { $(cmd g-startup) $(cmd g-startup-2) }
shutdown { $(cmd g-shutdown) }
rule r1 {
  startup { if_any_reached { $(cmd r-any) } }
  limit l1 {
    limit = 1M;
    reach { $(cmd l-reach) }
    expire { expire = +D; $(cmd l-expire) }
    sublimit 50% { reach { $(cmd s-reach) } }
    startup { if_not_reached { $(cmd l-notreached) } }
  }
  limit l2 { limit = 1M; reach { exec "exit 7"; $(cmd l2-second) } }
  threshold t1 { threshold = 1G; below_threshold { $(cmd t-below) } }
}
EOF

# x ARGS...: ipa -x -f CONF ARGS; $rc, $err, and $lines = what ran.
x () {
  rm -f "$outf"
  run "$IPA" -x -f "$conf" "$@"
  lines=$(cat "$outf" 2>/dev/null)
}

x startup
check "-x startup: exit 0" test "$rc" -eq 0
check "-x startup: the global startup commands, once each, in order" \
  test "$lines" = "$(printf 'g-startup ////startup\ng-startup-2 ////startup')"
x shutdown
check "-x shutdown: the global shutdown command" test "$lines" = "g-shutdown ////shutdown"
x -r r1 startup if_any_reached
check "-x -r R startup if_any_reached" test "$lines" = "r-any r1////if_any_reached"
x -r r1 -l l1 reach
check "-x -r R -l L reach: exit 0" test "$rc" -eq 0
check "-x -r R -l L reach: exactly that section" test "$lines" = "l-reach r1/l1///reach"
x -r r1 -l l1 expire
check "-x -r R -l L expire" test "$lines" = "l-expire r1/l1///expire"
x -r r1 -l l1 -s 50% reach
check "-x -r R -l L -s S reach" test "$lines" = "s-reach r1/l1/50%//reach"
x -r r1 -l l1 startup if_not_reached
check "-x -r R -l L startup if_not_reached" test "$lines" = "l-notreached r1/l1///if_not_reached"
x -r r1 -t t1 below_threshold
check "-x -r R -t T below_threshold (-t names a threshold here)" \
  test "$lines" = "t-below r1///t1/below_threshold"
x -xr r1 -l l1 reach
check "-x in a cluster of options" test "$lines" = "l-reach r1/l1///reach"

# No accounting, no databases: only the configuration phase of modules.
check "-x initialises no module (configuration phase only)" \
  bash -c "! grep -Eq '^(pre_init|init|init_statrule|get_stat)( |\$)' '$trace'"
check "-x: the module was loaded for the configuration" grep -q '^conf_init' "$trace"

# A failing command: status 1, the next command still runs.
x -r r1 -l l2 reach
check "a failing command: exit status 1" test "$rc" -eq 1
check "a failing command: the next one still ran" test "$lines" = "l2-second r1/l2///reach"
check "a failing command: reported" grep -q "1 command failed" "$tmp/run.err"

# Unknown objects and sections: status 1, a message, nothing runs.
for args in "-r nope startup" "-r r1 -l nope reach" "-r r1 -t nope below_threshold" \
            "-r r1 -l l1 -s 90% reach" "reach" "-r r1 reach" "-r r1 startup if_reached" \
            "-r r1 -l l1 reach if_reached" "-r r1 -t t1 above_threshold" "bogus"; do
  # shellcheck disable=SC2086
  x $args
  check "-x $args: exit status 1 with a message, nothing run" \
    test "$rc" -eq 1 -a -n "$err" -a -z "$lines"
done
x -r r1 -l nope reach
check "unknown limit: the message names it" grep -q 'rule r1 has no limit "nope"' "$tmp/run.err"
x -r r1 reach
check "a section the object cannot have: the message lists those it can" \
  grep -q 'rule r1 has no section "reach" (it may have: startup, shutdown)' "$tmp/run.err"

# Usage errors: 64.
for args in "" "-l l1 reach" "-r r1 -s 50% reach" "-r r1 -l l1 -t t1 reach" \
            "-r r1 startup if_any_reached extra" "-d startup" "-p $tmp/p startup"; do
  # shellcheck disable=SC2086
  x $args
  check "-x $args: usage error 64" test "$rc" -eq 64
done

# A broken configuration: status 1, FILE:LINE:COLUMN.
printf 'startup {\n  exec 1;\n}\n' >"$tmp/bad.conf"
run "$IPA" -x -f "$tmp/bad.conf" startup
check "-x with a broken configuration: exit 1" test "$rc" -eq 1
check "-x with a broken configuration: FILE:LINE:COLUMN" grep -q "bad.conf:2:" "$tmp/run.err"

# No PID file: -x runs while a daemon holds the default one, and takes no
# lock itself (checked in a private /run, as root only).
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
  rm -f "$outf"
  unshare --mount --propagation private bash -c "
    mount -t tmpfs tmpfs /run || exit 99
    '$IPA' -x -f '$conf' startup || exit \$?
    test -z \"\$(ls -A /run)\"" >/dev/null 2>&1
  rc=$?
  check "-x takes no PID file (nothing created in /run)" test "$rc" -eq 0
else
  skip "-x takes no PID file" "needs root for a private /run"
fi

done_testing
