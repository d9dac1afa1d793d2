#!/usr/bin/env bash
# Installs the Debian packages callcenter needs on the host, and nothing when they are there.
# Asterisk itself is not installed here: `callcenter sandbox up` uses the system's Asterisk
# (>= 20) or builds a cached Debian root with it (which needs debootstrap).
# With --tests, also what only the tests need: headless Chromium and its driver (the
# agent's desk page is tested in a real browser) and espeak-ng (speech for the
# transcription tests), Prometheus' promtool (the shipped alert rules are checked) and
# systemd-analyze (the shipped units are checked).
set -euo pipefail

need=()
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
command -v unshare >/dev/null 2>&1 || need+=(util-linux)
command -v chroot >/dev/null 2>&1 || need+=(coreutils)
command -v make >/dev/null 2>&1 || need+=(make)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
# npm installs what the daemon serves to browsers (JsSIP for the widget's web calls).
command -v npm >/dev/null 2>&1 || need+=(npm)
# `callcenter backup` / `restore` of a PostgreSQL database use pg_dump / pg_restore.
command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
# [tls] without a certificate of the admin's: a lab's self-signed pair is made with openssl.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The daemon allocates with jemalloc (daemon.allocator): glibc's malloc keeps what bursts free.
compgen -G "/usr/lib/*/libjemalloc.so.2" >/dev/null || need+=(libjemalloc2)
if [ "${1:-}" = "--tests" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
  # The shipped systemd units are checked with systemd-analyze verify.
  command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "callcenter needs these Debian packages: ${need[*]}" >&2
  echo "install them as root: apt-get install ${need[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null
