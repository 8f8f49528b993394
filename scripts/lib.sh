# Shared by the parts of scripts/install-test-tools in scripts/tools/ (sourced, not run).

# apt-get as root, or through sudo for a user who has it.
as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages among "$@" that are not installed yet.
debian_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# The first line of a command's output (captured whole: a pipe into head could kill the writer
# under pipefail).
first_line() {
  local out
  out="$("$@" 2>&1 || true)"
  echo "${out%%$'\n'*}"
}
