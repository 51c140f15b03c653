#!/bin/busybox sh
# /init of the ring0db Linux guest (generated from images/src/build/linux_init.sh).
# Network from the kernel command line: ring0db.ip=ADDR/PREFIX ring0db.gw=ADDR ring0db.port=N
# Extra server arguments: one ring0db.arg=WORD per word (e.g. ring0db.arg=--maxclients ring0db.arg=10000).
# Durable mode: ring0db.datafs=DIR puts an ext4 filesystem on the VM's disk /dev/vda (made on
# first use, kept on later boots) and mounts it on DIR, for servers that keep files (Redis's
# AOF, InnoDB). dbserver uses the raw /dev/vda instead and needs no filesystem.
/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
say() { echo "ring0db-linux: $*"; }

for m in @MODULES@; do
    insmod "@MODULE_DIR@/$m.ko" || say "insmod $m failed"
done

# The VM's one disk (virtio-blk): the durability log's raw device.
i=0
while [ ! -b /dev/vda ] && [ "$i" -lt 200 ]; do usleep 10000; i=$((i + 1)); done
if [ -b /dev/vda ]; then
    say "disk /dev/vda $(cat /sys/block/vda/size) sectors"
else
    say "no disk: /dev/vda is missing"
fi

IP=
GW=
PORT=6379
EXTRA=
DATAFS=
PERF_HZ=
for w in $(cat /proc/cmdline); do
    case "$w" in
        ring0db.ip=*) IP="${w#ring0db.ip=}" ;;
        ring0db.gw=*) GW="${w#ring0db.gw=}" ;;
        ring0db.port=*) PORT="${w#ring0db.port=}" ;;
        ring0db.arg=*) EXTRA="$EXTRA ${w#ring0db.arg=}" ;;
        ring0db.datafs=*) DATAFS="${w#ring0db.datafs=}" ;;
        ring0db.perf=*) PERF_HZ="${w#ring0db.perf=}" ;;
    esac
done

ip link set lo up
if [ -n "$IP" ]; then
    i=0
    while [ ! -e /sys/class/net/eth0 ] && [ "$i" -lt 200 ]; do usleep 10000; i=$((i + 1)); done
    ip link set eth0 up
    ip addr add "$IP" dev eth0
    [ -n "$GW" ] && ip route add default via "$GW"
    say "eth0 $IP gw ${GW:-none}"
else
    say "no ring0db.ip= on the kernel command line: no network"
fi

if [ -n "$DATAFS" ]; then
    mkdir -p "$DATAFS"
    if mount -t ext4 /dev/vda "$DATAFS" 2>/dev/null; then
        say "mounted the ext4 filesystem of /dev/vda on $DATAFS"
    elif @MKE2FS@ -q -F -t ext4 /dev/vda && mount -t ext4 /dev/vda "$DATAFS"; then
        say "made an ext4 filesystem on /dev/vda, mounted on $DATAFS"
    else
        say "cannot mount or make a filesystem on /dev/vda (ring0db.datafs=$DATAFS)"
        reboot -f
    fi
fi
@SETUP@
# The agent on port @AGENT_PORT@ answers one request line per connection, then closes:
# `cpu`: the guest-wide "cpu" line of /proc/stat and the server process's /proc/<pid>/stat;
# `perf`: (booted with ring0db.perf=HZ) stops the recording and streams `perf script`.
cat > /bin/ring0db-cpu <<'AGENT'
#!/bin/busybox sh
read -r request
case "$request" in
perf*)
    pid=$(cat /tmp/ring0db-perf.pid 2>/dev/null)
    [ -n "$pid" ] || { echo "ring0db-perf: not recording (boot with ring0db.perf=HZ)"; exit 0; }
    kill -INT "$pid" 2>/dev/null
    while kill -0 "$pid" 2>/dev/null; do usleep 10000; done
    rm -f /tmp/ring0db-perf.pid
    # No period column: every sample counts one in the host's folded stacks.
    @PERF@ script -i /tmp/perf.data -F comm,tid,time,event,ip,sym,dso 2>/dev/null
    ;;
*)
    echo "ring0db-cpu 1"
    head -n 1 /proc/stat
    pid=$(cat /tmp/ring0db-server.pid 2>/dev/null)
    [ -n "$pid" ] && echo "server $(cat "/proc/$pid/stat")"
    echo "end"
    ;;
esac
AGENT
chmod 755 /bin/ring0db-cpu
nc -ll -p @AGENT_PORT@ -e /bin/ring0db-cpu &
# Ports that must all be in LISTEN state before the guest reports it is serving.
READY_PORTS="@READY_PORTS@ @AGENT_PORT@"
listening() {
    h=$(printf '%04X' "$1")
    grep -q ":$h 0\{8\}:0000 0A" /proc/net/tcp 2>/dev/null ||
        grep -q ":$h 0\{32\}:0000 0A" /proc/net/tcp6 2>/dev/null
}
all_listening() {
    for p in $READY_PORTS; do listening "$p" || return 1; done
}
say "starting @SERVER_NAME@$EXTRA"
# Linux gives init 1024 descriptors; the servers are configured for 10000 clients.
ulimit -n 65536
# $EXTRA is split into words on purpose.
# shellcheck disable=SC2086
@SERVER_CMD@ $EXTRA &
PID=$!
echo "$PID" > /tmp/ring0db-server.pid
while kill -0 "$PID" 2>/dev/null; do
    if all_listening; then
        if [ -n "$PERF_HZ" ] && [ -x @PERF@ ]; then
            echo 0 > /proc/sys/kernel/kptr_restrict
            echo -1 > /proc/sys/kernel/perf_event_paranoid
            @PERF@ record -F "$PERF_HZ" -e cpu-clock -a -g -o /tmp/perf.data >/tmp/perf.log 2>&1 &
            echo "$!" > /tmp/ring0db-perf.pid
            say "perf recording at $PERF_HZ Hz"
        fi
        for p in $READY_PORTS; do say "serving on port $p"; done
        break
    fi
    usleep 10000
done
wait "$PID"
say "server exited with status $?"
sync
reboot -f
