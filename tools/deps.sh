#!/bin/sh
# Check that the Debian packages named on the command line are installed; install the
# missing ones when run as root, or print the command to run otherwise.
# Used by `make deps` (and so by `make`, `make run` and `make test`).
set -u
command -v dpkg-query >/dev/null 2>&1 || {
  echo "deps: not a Debian system; make sure these (or their equivalents) are installed: $*" >&2
  exit 0
}
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "deps: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends $missing >/tmp/dossier-deps.log 2>&1 || {
    apt-get update -q >>/tmp/dossier-deps.log 2>&1
    apt-get install -y -q --no-install-recommends $missing >>/tmp/dossier-deps.log 2>&1
  } || { echo "deps: apt-get failed; see /tmp/dossier-deps.log" >&2; tail -n 5 /tmp/dossier-deps.log >&2; exit 1; }
else
  echo "deps: missing Debian packages. Run:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
