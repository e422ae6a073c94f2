# Shared by scripts/trail-*.sh (sourced, not run): finds the `ddbsse trail` command.
#
# DDBSSE=/path/to/ddbsse  use that binary (`$DDBSSE trail ...`);
# TRAIL_STANDALONE=1      use the trail crate's stand-alone example `trail` (same arguments);
# otherwise build `ddbsse` (debug, or release with TRAIL_PROFILE=release) and use it; if the
# whole binary does not build (the server or conformance crates are broken), fall back to the
# trail crate's stand-alone example `trail`, which takes the same arguments, and say so.

trail_repo_root() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd
}

# Sets the array TRAIL (the command prefix, e.g. (target/debug/ddbsse trail)).
trail_find_command() {
  local root profile dir flag
  root="$(trail_repo_root)"
  profile="${TRAIL_PROFILE:-debug}"
  flag=""; dir="debug"
  if [ "$profile" = "release" ]; then flag="--release"; dir="release"; fi
  if [ -n "${DDBSSE:-}" ]; then
    TRAIL=("$DDBSSE" trail)
    return
  fi
  if [ -z "${TRAIL_STANDALONE:-}" ] && (cd "$root" && cargo build -q $flag -p ddbsse --bin ddbsse) >&2; then
    TRAIL=("$root/target/$dir/ddbsse" trail)
  else
    [ -n "${TRAIL_STANDALONE:-}" ] || echo "note: the ddbsse binary does not build; using the trail crate's stand-alone example (same arguments)" >&2
    (cd "$root" && cargo build -q $flag -p ddbsse-trail --example trail) >&2
    TRAIL=("$root/target/$dir/examples/trail")
  fi
}

# Creates a throwaway virtualenv under $1 and installs the given packages into it.
trail_venv() {
  local venv="$1"; shift
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" >&2
}
