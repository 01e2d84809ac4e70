# Sourced by scripts/setup-engine.sh (Docker) and scripts/setup-podman.sh (Podman), which define
# `say`: apt installs, waiting for an engine started in the background, and the offline test image,
# made the same way for both engines since no registry is reachable here.

# apt-get install, with one `apt-get update` first per run.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# wait_until_answers WHAT SECONDS LOG CHECK...: runs CHECK every 0.5 s until it succeeds; after
# SECONDS, shows the end of the engine's LOG and fails the script.
wait_until_answers() {
  local what=$1 seconds=$2 log=$3
  shift 3
  local _
  for _ in $(seq 1 $((seconds * 2))); do
    if "$@"; then say "$what is up"; return; fi
    sleep 0.5
  done
  say "$what did not answer within $seconds s; its log ($log) ends with:"
  tail -n 20 "$log" >&2 || true
  exit 1
}

# Debian's busybox package is dynamically linked; busybox-static replaces it with a static build.
file_is_static() { ! grep -q 'ld-linux' "$1" 2>/dev/null; }

# import_busybox CLI IMAGE: a busybox rootfs from Debian's static build (sh, httpd with CGI, nc,
# wget: enough for every test), imported as IMAGE with `CLI import` (docker and podman take the
# same arguments).
import_busybox() {
  local cli=$1 image=$2
  if [ ! -x /bin/busybox ] || ! /bin/busybox --list >/dev/null 2>&1 || ! file_is_static /bin/busybox; then
    apt_install busybox-static
  fi
  local root
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/var/www" "$root/root" "$root/data"
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -c . | "$cli" import -c 'CMD ["sh"]' -c 'ENV PATH=/bin' - "$image" >/dev/null
  rm -rf "$root"
}
