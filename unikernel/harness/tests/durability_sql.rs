//! SQL commits in the durability log in ring 0 (the real image in QEMU, tap namespace, the
//! log on the VM's virtio-blk disk, a raw file kept between boots), through the `mysql`
//! crate: committed transactions survive SIGKILL of QEMU, an open one is absent; under a
//! three-connection load of two-row transactions every committed one is there whole and
//! none is there in half.

#[path = "../../../images/tests/acked_load/mod.rs"]
mod acked_load;
mod durability_vm;
#[path = "../../../images/tests/durable_sql_scenario/mod.rs"]
mod durable_sql_scenario;

use std::time::Duration;

use acked_load::must;
use durability_vm::{boot, connect, TempDisk};
use ring0db_harness::NetVm;
use ring0db_images::netns::{SQL_GUEST_PORT, TAP_GUEST_ADDR};
use ring0db_images::{Disk, NetAttach};

/// Time the load may take to reach its target under TCG.
const LOAD_LIMIT: Duration = Duration::from_secs(180);

/// How long a SQL reply may take; after the kill, what ends the loaders' connections.
const SQL_READ_TIMEOUT: Duration = Duration::from_secs(20);

/// A `mysql` crate connection to the image's SQL port, made inside the VM's namespace.
fn sql(vm: &NetVm, database: Option<&str>) -> mysql::Conn {
    let NetAttach::Tap(netns) = vm.vm.net() else {
        unreachable!("tap VM")
    };
    let opts = mysql::OptsBuilder::new()
        .user(Some("root"))
        .db_name(database)
        .ip_or_hostname(Some(TAP_GUEST_ADDR.to_string()))
        .tcp_port(SQL_GUEST_PORT)
        .read_timeout(Some(SQL_READ_TIMEOUT))
        .prefer_socket(false);
    netns
        .run_inside(move || mysql::Conn::new(opts))
        .expect("enter the namespace")
        .expect("connect to the SQL port")
}

#[test]
fn committed_sql_transactions_survive_sigkill_and_an_open_one_does_not() {
    let disk = TempDisk::new(4 << 20);
    let (mut vm, _) = boot("", Disk::Existing(disk.path()));
    let (c, open) = durable_sql_scenario::write_before_crash(|db| sql(&vm, db));
    // KV writes share the log.
    assert_eq!(must(&mut connect(&vm), &["SET", "kv", "1"]), "+OK");
    vm.vm.kill();
    drop((c, open, vm));

    let (vm, recovery) = boot("", Disk::Existing(disk.path()));
    assert!(recovery.contains("clean end"), "{recovery}");
    durable_sql_scenario::check_after_reboot(&mut sql(&vm, Some("d")));
    assert_eq!(must(&mut connect(&vm), &["GET", "kv"]), "$1");
}

/// Loader `conn`'s transaction `seq` inserts rows `ids(conn, seq)`, both or neither.
fn ids(conn: i64, seq: i64) -> [i64; 2] {
    let base = conn * 1_000_000 + seq * 2;
    [base, base + 1]
}

/// Two-row transactions on `c` until the connection dies; the number committed.
fn sql_load(
    mut c: mysql::Conn,
    conn: i64,
    stop: &std::sync::atomic::AtomicBool,
    total: &std::sync::atomic::AtomicU64,
) -> Result<i64, String> {
    use mysql::prelude::Queryable;
    use std::sync::atomic::Ordering;
    for seq in 0.. {
        let [a, b] = ids(conn, seq);
        let done = c.query_drop("BEGIN").and_then(|()| {
            c.query_drop(format!(
                "INSERT INTO t VALUES ({a}, {conn}, {seq}), ({b}, {conn}, {seq})"
            ))?;
            c.query_drop("COMMIT")
        });
        if let Err(e) = done {
            if stop.load(Ordering::SeqCst) {
                return Ok(seq);
            }
            return Err(format!("loader {conn} failed before the kill: {e}"));
        }
        total.fetch_add(1, Ordering::Relaxed);
    }
    unreachable!("the load runs until the connection dies")
}

#[test]
fn sql_commits_under_load_survive_sigkill_whole() {
    use mysql::prelude::Queryable;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::sync::Arc;
    const SQL_LOADERS: i64 = 3;
    const TARGET_COMMITS: u64 = 300;
    let disk = TempDisk::new(16 << 20);
    let (mut vm, _) = boot("", Disk::Existing(disk.path()));
    sql(&vm, None).query_drop("CREATE DATABASE d").unwrap();
    sql(&vm, Some("d"))
        .query_drop("CREATE TABLE t (id INT PRIMARY KEY, conn INT, seq INT)")
        .unwrap();
    let (stop, total) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
    );
    let loaders: Vec<_> = (0..SQL_LOADERS)
        .map(|conn| {
            let c = sql(&vm, Some("d"));
            let (stop, total) = (stop.clone(), total.clone());
            std::thread::spawn(move || sql_load(c, conn, &stop, &total))
        })
        .collect();
    let deadline = std::time::Instant::now() + LOAD_LIMIT;
    while total.load(Ordering::Relaxed) < TARGET_COMMITS {
        assert!(
            std::time::Instant::now() < deadline,
            "the SQL load is too slow"
        );
        assert!(
            loaders.iter().all(|l| !l.is_finished()),
            "a loader stopped early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::SeqCst);
    vm.vm.kill(); // SIGKILL in the middle of the load.
    drop(vm); // The loaders' connections end with their read timeout.
    let committed: Vec<i64> = loaders
        .into_iter()
        .map(|l| l.join().expect("loader").unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let sum: i64 = committed.iter().sum();
    assert!(sum as u64 >= TARGET_COMMITS, "{committed:?}");
    eprintln!("committed transactions per loader before the kill: {committed:?}");

    let (vm, recovery) = boot("", Disk::Existing(disk.path()));
    assert!(recovery.contains("clean end"), "{recovery}");
    let mut c = sql(&vm, Some("d"));
    for (conn, &n) in committed.iter().enumerate() {
        let conn = conn as i64;
        let got: Vec<i64> = c
            .query(format!("SELECT id FROM t WHERE conn = {conn} ORDER BY id"))
            .unwrap();
        // Every committed transaction whole; at most the one whose COMMIT was in flight
        // more, and never half of one.
        let want = |n: i64| (0..n).flat_map(|seq| ids(conn, seq)).collect::<Vec<_>>();
        assert!(
            got == want(n) || got == want(n + 1),
            "loader {conn}: committed {n}, rows {got:?}"
        );
    }
}
