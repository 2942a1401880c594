#!/usr/bin/env bash
# Local stand-ins for the two base images docker-compose.yaml names, for machines that reach no
# image registry (CI here: Debian's apt and PyPI only; ../shared/docs/offline-docker.md).
#
#   docker/standins/build.sh            # each image: kept if present, else pulled, else built
#   STANDINS_FORCE=1 docker/standins/build.sh   # rebuild the stand-ins even if present
#
# Docker resolves FROM and image: in the local store first, so images built here under the
# official names (apache/airflow:3.3.2-python3.11, postgres:16) serve the project's Dockerfile
# and compose file unchanged. Where the official images can be pulled, they are used and nothing
# is built. Not part of the runtime: nothing under dags/, include/ or local_aws/ knows of it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

# The names the project uses: the Dockerfile's FROM and the compose file's postgres image.
AIRFLOW_IMAGE="$(sed -n 's/^FROM \(apache\/airflow:[^ ]*\).*/\1/p' "$root/Dockerfile" | head -1)"
POSTGRES_IMAGE="$(sed -n 's/^ *image: \(postgres:[^ ]*\)$/\1/p' "$root/docker-compose.yaml" | head -1)"
AIRFLOW_VERSION="${AIRFLOW_IMAGE#apache/airflow:}"; AIRFLOW_VERSION="${AIRFLOW_VERSION%%-*}"
BASE_IMAGE=local/debian:bookworm
log() { printf '%s standins: %s\n' "$(date +%T)" "$*" >&2; }

present() { docker image inspect "$1" >/dev/null 2>&1; }

# An image is present, pulled, or to be built (return 1).
obtain() {
  if [[ -z "${STANDINS_FORCE:-}" ]] && present "$1"; then log "$1: present"; return 0; fi
  if [[ -z "${STANDINS_FORCE:-}" ]] && timeout 300 docker pull -q "$1" >/dev/null 2>&1; then
    log "$1: pulled (the official image)"; return 0
  fi
  return 1
}

mirror() {
  local uri
  uri="$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
  [[ -n "$uri" ]] || uri="$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)"
  echo "${uri:-http://deb.debian.org/debian}"
}

build_base() {
  if [[ -z "${STANDINS_FORCE:-}" ]] && present "$BASE_IMAGE"; then return 0; fi
  command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install debootstrap"; exit 1; }
  local rootfs; rootfs="$(mktemp -d)"
  log "$BASE_IMAGE: debootstrap from $(mirror)"
  debootstrap --variant=minbase bookworm "$rootfs" "$(mirror)" >/dev/null
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/*
  : > "$rootfs/etc/resolv.conf"  # docker mounts its own at run time
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
  else
    cp /etc/apt/sources.list "$rootfs/etc/apt/sources.list"
  fi
  tar --numeric-owner -C "$rootfs" -c . \
    | docker import --change 'CMD ["bash"]' --change 'ENV LANG=C.UTF-8' - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
}

# A build context: the image's folder, the host's extra CA certificates (CI re-signs HTTPS with a
# CA the host trusts; pip in the image needs it too) and the project's lock.
context() {
  local ctx; ctx="$(mktemp -d)"
  cp -r "$here/$1/." "$ctx/"
  mkdir -p "$ctx/certs"
  cp /usr/local/share/ca-certificates/*.crt "$ctx/certs/" 2>/dev/null || true
  cp "$root/constraints.txt" "$ctx/"
  echo "$ctx"
}

build() {  # name folder [build args...]
  local name="$1" folder="$2"; shift 2
  local ctx; ctx="$(context "$folder")"
  log "$name: building the stand-in from Debian's packages ($folder/)"
  local started=$SECONDS
  DOCKER_BUILDKIT=0 docker build --force-rm -q -t "$name" "$@" "$ctx" >/dev/null
  rm -rf "$ctx"
  log "$name: built in $((SECONDS - started)) s"
}

airflow_ok=0; postgres_ok=0
obtain "$AIRFLOW_IMAGE" && airflow_ok=1
obtain "$POSTGRES_IMAGE" && postgres_ok=1
if ((airflow_ok && postgres_ok)); then exit 0; fi
build_base
((postgres_ok)) || build "$POSTGRES_IMAGE" postgres
((airflow_ok)) || build "$AIRFLOW_IMAGE" airflow --build-arg "AIRFLOW_VERSION=$AIRFLOW_VERSION"
