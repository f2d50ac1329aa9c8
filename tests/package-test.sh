#!/usr/bin/env bash
# package-test.sh - the Debian package as a hospital's operations team meets
# it, on this machine (as root; CI's fresh Debian 12):
#   1. build it (deploy/build-deb.sh) and run lintian: no error;
#   2. dpkg -i: the user timebok, /var/lib/timebok (0700, timebok's), the
#      settings root-only, the unit installed and enabled but not running;
#   3. the installed binary, started by hand as timebok (no systemd needed) on
#      a loopback port, answers /healthz with its version and schema level and
#      serves the login page from its installed front-end;
#   4. installing it again (an upgrade) keeps an edited settings file;
#   5. dpkg -r keeps data, settings and user; dpkg --purge leaves nothing:
#      no user or group, no /var/lib/timebok, no /etc/timebok, no unit.
# setpriv (not runuser, which forks) so that the PID is timebok's.
# It refuses to touch a timebok installed by anything but itself, and
# starts by purging what an earlier run of its own left.
# Usage: tests/package-test.sh [build-dir]   (default build-deb)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-deb}
marker=/var/lib/timebok/installed-by-package-test
fail() { echo "package test: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run as root (it installs the package)"
if dpkg-query -W -f='${Status}' timebok 2>/dev/null | grep -q 'ok installed\|config-files'; then
  [ -e "$marker" ] || [ ! -e /var/lib/timebok ] ||
    fail "a timebok package is installed here, not by this test; not touching it"
  dpkg --purge timebok >/dev/null
fi

echo "-- build and lintian"
deb=$(deploy/build-deb.sh "$dir" 2>/dev/null)
lrc=0
lint=$(lintian --fail-on error "$deb" 2>&1) || lrc=$?
lint=$(grep -v 'running with root privileges' <<<"$lint" || true)
[ $lrc -eq 0 ] || fail "lintian found errors:"$'\n'"$lint"
echo "lintian: $(grep -c '^E:' <<<"$lint" || true) errors, $(grep -c '^W:' <<<"$lint" || true) warnings (overrides: deploy/debian/timebok.lintian-overrides)"
[ -z "$lint" ] || echo "$lint"

echo "-- dpkg -i $deb"
dpkg -i "$deb" >/dev/null
touch "$marker"
getent passwd timebok >/dev/null || fail "no user timebok"
[ "$(stat -c '%a %U %G' /var/lib/timebok)" = "700 timebok timebok" ] ||
  fail "/var/lib/timebok is $(stat -c '%a %U %G' /var/lib/timebok)"
[ "$(stat -c '%a %U' /etc/timebok/timebok.env)" = "600 root" ] ||
  fail "/etc/timebok/timebok.env is $(stat -c '%a %U' /etc/timebok/timebok.env)"
grep -q '^ConditionPathExists=/etc/timebok/configured' /lib/systemd/system/timebok.service ||
  fail "the unit does not wait for /etc/timebok/configured"
if command -v deb-systemd-helper >/dev/null; then
  [ -L /etc/systemd/system/multi-user.target.wants/timebok.service ] || fail "the unit is not enabled"
fi
/usr/bin/timebok --help | grep -q '/usr/share/timebok/static' ||
  fail "the installed binary does not default to its installed front-end"
man -w timebok >/dev/null 2>&1 || [ -f /usr/share/man/man8/timebok.8.gz ] || fail "no manual page"

echo "-- the installed binary, as timebok, on a loopback port"
port_file=/var/lib/timebok/port
rm -f "$port_file"
setpriv --reuid=timebok --regid=timebok --init-groups /usr/bin/timebok --db /var/lib/timebok/timebok.db --listen 127.0.0.1:0 \
  --port-file "$port_file" >/var/lib/timebok/server.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 200); do
  [ -s "$port_file" ] && break
  kill -0 $pid 2>/dev/null || { cat /var/lib/timebok/server.log; fail "timebok exited at start"; }
  sleep 0.05
done
[ -s "$port_file" ] || fail "timebok did not start in 10 s"
url=http://127.0.0.1:$(cat "$port_file")
health=$(curl -sf "$url/healthz") || fail "/healthz did not answer"
want=$(/usr/bin/timebok --version | sed -E 's/^timebok ([^ ]+) \(schema ([0-9]+)\)$/{"status":"ok","version":"\1","schema":\2}/')
[ "$health" = "$want" ] || fail "/healthz answered $health, not $want"
curl -sf "$url/" | cmp -s - /usr/share/timebok/static/index.html ||
  fail "the login page is not the installed index.html"
kill $pid
wait $pid || fail "timebok did not stop cleanly"
trap - EXIT
[ "$(stat -c %U /var/lib/timebok/timebok.db)" = timebok ] || fail "the database is not timebok's"
echo "healthz: $health; / is the installed index.html"

echo "-- installed again (an upgrade): an edited setting is kept"
echo "TIMEBOK_CLINIC_NAME=Package test" >>/etc/timebok/timebok.env
dpkg -i "$deb" >/dev/null
grep -q '^TIMEBOK_CLINIC_NAME=Package test' /etc/timebok/timebok.env || fail "the edit was lost"
[ -f /var/lib/timebok/timebok.db ] || fail "the upgrade lost the database"

echo "-- dpkg -r keeps data, settings and user; dpkg --purge removes them"
dpkg -r timebok >/dev/null
[ ! -e /usr/bin/timebok ] || fail "/usr/bin/timebok is still there"
[ -f /var/lib/timebok/timebok.db ] && [ -f /etc/timebok/timebok.env ] && getent passwd timebok >/dev/null ||
  fail "remove took data, settings or the user"
dpkg --purge timebok >/dev/null
left=()
getent passwd timebok >/dev/null && left+=("user timebok")
getent group timebok >/dev/null && left+=("group timebok")
for f in /var/lib/timebok /etc/timebok /usr/share/timebok /usr/share/doc/timebok \
         /lib/systemd/system/timebok.service /etc/systemd/system/multi-user.target.wants/timebok.service \
         /var/lib/systemd/deb-systemd-helper-enabled/timebok.service.dsh-also \
         /var/lib/systemd/deb-systemd-helper-masked/timebok.service; do
  [ -e "$f" ] || [ -L "$f" ] && left+=("$f")
done
dpkg-query -W -f='${Status}' timebok 2>/dev/null | grep -q 'not-installed' ||
  [ -z "$(dpkg-query -W -f='${Status}' timebok 2>/dev/null)" ] || left+=("dpkg's record")
[ ${#left[@]} -eq 0 ] || fail "purge left: ${left[*]}"
echo "package test: ok"
