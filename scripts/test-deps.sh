#!/usr/bin/env bash
# Installs what the tests need beyond Go, from Debian's packages: Chromium
# for the browser tests (test libraries must not download a browser of their
# own) and PostgreSQL, whose initdb and pg_ctl scripts/pgtest.sh runs to
# start the throwaway cluster of the second test run. Debian's postgresql
# keeps them in /usr/lib/postgresql/VERSION/bin, off the PATH.
set -euo pipefail

have_initdb() {
  command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
have_initdb || missing+=(postgresql)
# runuser (util-linux) runs the cluster as postgres when the tests run as root.
[[ $(id -u) -ne 0 ]] || command -v runuser >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: missing ${missing[*]}; install Debian's package(s) '${missing[*]}' (apt-get install ${missing[*]}, needs root)" >&2
  exit 1
fi
echo "test-deps: installing ${missing[*]} (Debian packages)…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The package's own cluster (and its service) is not wanted: the tests
# start theirs. postgresql-common reads this before it would create one.
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/ecopulse-tests.conf
fi
apt-get install -y -qq "${missing[@]}" >/dev/null
if [[ " ${missing[*]} " == *" chromium "* ]]; then
  chromium --version
fi
if [[ " ${missing[*]} " == *" postgresql "* ]]; then
  ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1
fi
