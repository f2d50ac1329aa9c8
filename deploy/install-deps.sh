#!/usr/bin/env bash
# install-deps.sh - install the Debian 12 packages timebok needs to build,
# run and test.  Installs only what is missing; uses sudo when not root.
#   deploy/install-deps.sh          build and run
#   deploy/install-deps.sh --test   also the test tools (and the package's)
#   deploy/install-deps.sh --bench  also the benchmark's (wrk, python3)
#   deploy/install-deps.sh --deb    also what CPack needs for the .deb
set -euo pipefail

pkgs=(build-essential cmake pkg-config tzdata ca-certificates
      libmicrohttpd-dev libsqlite3-dev libjansson-dev libsodium-dev
      libcurl4-openssl-dev libical-dev zlib1g-dev libcjose-dev)
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--bench" ]; then
  pkgs+=(wrk python3 check) # the benchmark (built with the tests)
fi
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--deb" ]; then
  # the .deb's Depends from the binary's shared libraries: dpkg-shlibdeps, file
  pkgs+=(dpkg-dev file)
fi
if [ "${1:-}" = "--test" ]; then
  # python3-aiosmtpd: a real SMTP server for the e-mail channel's tests
  # python3-icalendar: an outside iCalendar parser for tests/standards_check.py
  pkgs+=(check valgrind python3 python3-aiosmtpd python3-icalendar)
  # hardening: libFuzzer (clang, libclang-rt), static analysis, ELF checks
  pkgs+=(clang libclang-rt-14-dev cppcheck binutils)
  # the package test (tests/package-test.sh): lintian, the package's own
  # Depends (adduser), and curl to ask the installed server
  pkgs+=(lintian adduser curl)
  # the browser tests: Debian's chromium, driven by playwright-core from npm
  pkgs+=(chromium fonts-dejavu-core)
  command -v npm >/dev/null || pkgs+=(nodejs npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
  sudo="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
