#!/usr/bin/env bash
# Installs what the tests run generated code with and what the sandbox needs, when missing:
# uv (PyPI), Go and bubblewrap (Debian packages), TypeScript (npm). python3, node and a JDK
# are expected on the machine. --dry-run only says what is missing and how it would install.
set -euo pipefail

dry=0
[ "${1:-}" = "--dry-run" ] && dry=1

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi

apt_missing=()
command -v go >/dev/null 2>&1 || apt_missing+=(golang-go)
command -v bwrap >/dev/null 2>&1 || apt_missing+=(bubblewrap)
need_tsc=0
command -v tsc >/dev/null 2>&1 || need_tsc=1
need_uv=0
command -v uv >/dev/null 2>&1 || need_uv=1
absent=()
for tool in python3 node javac java; do
  command -v "$tool" >/dev/null 2>&1 || absent+=("$tool")
done

if [ "$dry" -eq 1 ]; then
  [ "$need_uv" -eq 1 ] && echo "would install: uv (python3 -m pip install uv)"
  [ ${#apt_missing[@]} -gt 0 ] && echo "would install: ${apt_missing[*]} (apt-get install)"
  [ "$need_tsc" -eq 1 ] && echo "would install: typescript (npm install -g typescript)"
  [ ${#absent[@]} -gt 0 ] && echo "not installed by this script, install them first: ${absent[*]}"
  echo "dry run: nothing installed"
  exit 0
fi

if [ ${#absent[@]} -gt 0 ]; then
  echo "install-toolchains: missing ${absent[*]}; install them (Debian: python3 nodejs npm" \
       "default-jdk) and run again" >&2
  exit 1
fi
if [ "$need_uv" -eq 1 ]; then
  python3 -m pip install --quiet uv || python3 -m pip install --quiet --user uv
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
    echo "install-toolchains: missing ${apt_missing[*]}, and installing them needs root:" \
         "apt-get install ${apt_missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi
if [ "$need_tsc" -eq 1 ]; then
  $SUDO npm install -g --silent typescript || {
    echo "install-toolchains: npm could not install typescript: npm install -g typescript" >&2
    exit 1
  }
fi
