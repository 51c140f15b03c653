#!/usr/bin/env bash
# Installs what ring0db needs on a Debian/Ubuntu host, only if something is missing:
# QEMU (TCG/KVM), the real Redis and MariaDB clients and servers used as peers, sysbench, the tools the Linux
# guest recipe uses, and the Rust target of the unikernel. Safe to run repeatedly.
set -euo pipefail

packages=(
  qemu-system-x86   # runs every image (qboot firmware included)
  redis-tools       # redis-cli, redis-benchmark: the real clients tests and loadgen use
  redis-server      # Debian's Redis: the peer target (host and Linux guest)
  busybox-static    # init environment of the Linux guests
  cpio              # packs the Linux guests' initramfs
  iproute2          # ip netns / ip tuntap for tap networking in a namespace
  iputils-ping      # ICMP tests
  procps            # pgrep/ps used by cleanup checks
  mariadb-server    # Debian's MariaDB: the SQL peer and the differential-correctness oracle
  mariadb-client    # mariadb CLI and mysqlslap: real SQL clients the tests drive
  sysbench          # sysbench's OLTP scripts against the SQL front-end
  libdbd-mariadb-perl  # Perl DBI client test
  python3-pymysql   # Python client test
  e2fsprogs         # mke2fs: ext4 on the disk of the Redis and MariaDB guests in durable runs
  linux-perf        # perf inside the Linux guests for their flame graphs (loadgen --profile)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "ring0db: missing packages: ${missing[*]}" >&2
    echo "ring0db: install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "ring0db: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if command -v rustup >/dev/null 2>&1; then
  rustup target list --installed | grep -qx x86_64-unknown-none || rustup target add x86_64-unknown-none
fi
