# sd-container.sh: a throw-away systemd as PID 1 for integration tests,
# sourced by tests/systemd/*.sh (bash, root).
#
#   sdc_boot DIR       boot it; DIR/payload/ is laid over the private root
#                      first (units, the installed tree, configuration).
#                      Sets SDC_PID, the host PID of the container's PID 1.
#   sdc_run CMD...     run CMD inside (its namespaces and root).
#   sdc_root           the container's root as seen from the host.
#   sdc_teardown       kill PID 1 (the whole PID namespace with it), reap
#                      the launcher, remove the cgroup subtree.
#
# What keeps the machine as it was (each point is a way it was seen to
# go wrong):
# - new PID, mount, UTS, IPC, network and cgroup namespaces; unshare is a
#   child of the test (so that it can be waited for) and kills the
#   container when it dies (--kill-child);
# - the cgroup namespace is rooted in a fresh subtree of the cgroup2
#   hierarchy, and only cgroup2 is mounted inside: systemd creates its
#   slices there and touches no v1 hierarchy of the host;
# - the root is an overlay whose upper layer is a tmpfs: whatever systemd,
#   journald, dbus and the units write (/etc, /var, state directories)
#   goes when the namespace goes;
# - /dev is a tmpfs with a few device nodes bound in, never the host's
#   devtmpfs (journald would leave /dev/log there); /run is a tmpfs;
#   /proc/sys is read-only except /proc/sys/net, /sys is read-only;
# - container= in the environment: systemd then leaves core_pattern, the
#   clock and the kernel log of the host alone.

SDC_PID=
SDC_LAUNCHER=
SDC_CGROUP=

# Run by bash inside the new namespaces (still on the host's root); $W is
# the work directory.  Ends by exec'ing systemd as PID 1.
SDC_INIT='
set -eu
R=$W/root
mount -t tmpfs -o mode=755 tmpfs "$W/upper"
mkdir "$W/upper/data" "$W/upper/work"
mount -t overlay overlay \
  -o "lowerdir=/,upperdir=$W/upper/data,workdir=$W/upper/work" "$R"

mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"
for n in null zero full random urandom tty; do
  : >"$R/dev/$n"
  mount --bind "/dev/$n" "$R/dev/$n"
done
mkdir "$R/dev/pts" "$R/dev/shm" "$R/dev/mqueue"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
ln -s pts/ptmx "$R/dev/ptmx"
ln -s /proc/self/fd "$R/dev/fd"
for i in 0:stdin 1:stdout 2:stderr; do ln -s "/proc/self/fd/${i%%:*}" "$R/dev/${i#*:}"; done
: >"$W/console.log"
: >"$R/dev/console"
mount --bind "$W/console.log" "$R/dev/console"

mount -t proc -o nosuid,nodev,noexec proc "$R/proc"
mount --bind "$R/proc/sys" "$R/proc/sys"
mount -o remount,bind,ro "$R/proc/sys"
mount --bind "$R/proc/sys/net" "$R/proc/sys/net"
mount -o remount,bind,rw "$R/proc/sys/net"
if [ -e "$R/proc/sysrq-trigger" ]; then
  mount --bind "$R/proc/sysrq-trigger" "$R/proc/sysrq-trigger"
  mount -o remount,bind,ro "$R/proc/sysrq-trigger"
fi
mount --bind /sys "$R/sys"
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$R/sys/fs/cgroup"
mount -o remount,bind,ro "$R/sys"
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$R/run"

# tar keeps the symbolic links of a merged /usr (lib -> usr/lib) that
# cp -a would try to replace by directories.
if [ -d "$W/payload" ]; then
  tar -C "$W/payload" -cf - . | tar -C "$R" --keep-directory-symlink -xf -
fi

cd "$R"
mkdir .oldroot
pivot_root . .oldroot
cd /
umount -l /.oldroot
rmdir /.oldroot
exec /lib/systemd/systemd --unit="$UNIT" --show-status=no
'

sdc_run () { nsenter -t "$SDC_PID" -m -u -i -n -p -C -r -w -- "$@"; }
sdc_root () { echo "/proc/$SDC_PID/root"; }

# The cgroup2 hierarchy of the host: unified under a hybrid layout.
sdc_cgroup2 () {
  if [ -f /sys/fs/cgroup/unified/cgroup.procs ]; then
    echo /sys/fs/cgroup/unified
  elif [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    echo /sys/fs/cgroup
  else
    return 1
  fi
}

# sdc_boot DIR [UNIT]: returns 0 once the system is running (or degraded),
# 1 with the reason on stderr (and everything torn down) otherwise.
sdc_boot () {
  local dir unit=${2:-ipa-test.target} cg i state=
  dir=$(realpath "$1")
  mkdir -p "$dir/upper" "$dir/root"
  cg=$(sdc_cgroup2) || { echo "sdc: no cgroup2 hierarchy" >&2; return 1; }
  SDC_CGROUP=$cg/ipa-sdc-$$-$RANDOM
  mkdir "$SDC_CGROUP" || return 1
  # The launcher enters the new cgroup before unsharing, so that the
  # cgroup namespace is rooted there.
  sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$SDC_CGROUP" \
    unshare --pid --mount --uts --ipc --net --cgroup --fork \
            --propagation private --kill-child=SIGKILL \
    env -i container=ipa-test PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
           W="$dir" UNIT="$unit" bash -c "$SDC_INIT" \
    </dev/null >"$dir/init.log" 2>&1 &
  SDC_LAUNCHER=$!
  for i in $(seq 500); do
    SDC_PID=$(awk '{ print $1 }' "/proc/$SDC_LAUNCHER/task/$SDC_LAUNCHER/children" 2>/dev/null)
    [ -n "$SDC_PID" ] && break
    sleep 0.01
  done
  # "offline" only means PID 1 has not opened its socket yet.
  for i in $(seq 600); do
    if [ -n "$SDC_PID" ]; then
      state=$(sdc_run systemctl is-system-running 2>/dev/null)
    fi
    case $state in
      running|degraded) return 0 ;;
      maintenance|stopping)
        echo "sdc: boot failed, system $state" >&2
        sdc_run systemctl --failed --no-pager >&2
        sdc_teardown
        return 1 ;;
    esac
    if ! kill -0 "$SDC_LAUNCHER" 2>/dev/null; then
      echo "sdc: the container ended during boot:" >&2
      cat "$dir/init.log" >&2
      sdc_teardown
      return 1
    fi
    sleep 0.02
  done
  echo "sdc: boot timed out, system ${state:-unknown}" >&2
  sdc_teardown
  return 1
}

sdc_teardown () {
  local i
  if [ -n "$SDC_PID" ]; then
    kill -KILL "$SDC_PID" 2>/dev/null
  fi
  if [ -n "$SDC_LAUNCHER" ]; then
    kill -KILL "$SDC_LAUNCHER" 2>/dev/null
    wait "$SDC_LAUNCHER" 2>/dev/null
  fi
  SDC_PID= SDC_LAUNCHER=
  if [ -n "$SDC_CGROUP" ]; then
    # Children first; a cgroup whose processes are still exiting is busy
    # for a moment.
    for i in $(seq 300); do
      [ -d "$SDC_CGROUP" ] || break
      find "$SDC_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null || sleep 0.01
    done
    if [ -d "$SDC_CGROUP" ]; then
      echo "sdc: cannot remove the cgroup $SDC_CGROUP" >&2
      return 1
    fi
    SDC_CGROUP=
  fi
  return 0
}
