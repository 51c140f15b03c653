//! The durability log in ring 0: dbserver in the image with `appendonly=yes
//! appendfsync=always` on the VM's virtio-blk disk, a write load over real TCP, QEMU killed
//! with SIGKILL in the middle of it, and a second boot from the same disk file: every
//! acknowledged write is there. The same log code and format as the Linux binary's
//! (`dbserver/tests/durability.rs`); only the disk path differs (`/dev/vda`). A disk whose
//! writes fail (QEMU's blkdebug) turns writes into `-MISCONF` while reads go on.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use ring0db_harness::{spawn_with_disk, NetVm, BOOT_TIMEOUT};
use ring0db_images::netns::GUEST_PORT;
use ring0db_images::{create_disk_file, Disk, NetAttach};

const DISK_MIB: u32 = 16;
/// Acknowledged writes to wait for before killing QEMU.
const TARGET_ACKS: u64 = 200;
/// Time the load may take to reach the target under TCG.
const LOAD_LIMIT: Duration = Duration::from_secs(300);
const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// A disk file of its own, removed at the end.
struct TempDisk(PathBuf);

impl TempDisk {
    fn new(name: &str) -> TempDisk {
        let dir =
            std::env::temp_dir().join(format!("ring0db-durable-kv-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("disk.raw");
        create_disk_file(&path, DISK_MIB).unwrap();
        TempDisk(path)
    }
}

impl Drop for TempDisk {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn boot_on(disk: &Path) -> NetVm {
    boot_with(Disk::Existing(disk.to_path_buf()))
}

fn boot_with(disk: Disk) -> NetVm {
    let vm = spawn_with_disk(
        "appendonly=yes appendfsync=always",
        NetAttach::tap().expect("tap in a namespace"),
        disk,
    )
    .expect("spawn the image");
    vm.wait_for_line("ring0db ", BOOT_TIMEOUT)
        .unwrap_or_else(|e| panic!("boot: {e:#}\n{}", vm.serial_log()));
    let vm = NetVm { vm };
    drop(
        vm.connect(GUEST_PORT)
            .expect("the server accepts connections"),
    );
    vm
}

/// A RESP connection that sends commands and reads one-line replies (`+OK`, `:n`, `$n`
/// with its line).
struct Client {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    fn new(stream: TcpStream) -> Client {
        stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        Client {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    /// The reply's text (a bulk's contents), or `None` when the connection died.
    fn command(&mut self, args: &[&str]) -> Option<String> {
        let mut req = format!("*{}\r\n", args.len());
        for a in args {
            req.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        self.writer.write_all(req.as_bytes()).ok()?;
        let mut line = String::new();
        if self.reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end().to_string();
        if line.starts_with('$') && line != "$-1" {
            let mut body = String::new();
            self.reader.read_line(&mut body).ok()?;
            return Some(body.trim_end().to_string());
        }
        Some(line)
    }
}

#[test]
fn acknowledged_writes_survive_a_killed_qemu() {
    let disk = TempDisk::new("sigkill");
    let mut vm = boot_on(&disk.0);
    let acks = Arc::new(AtomicU64::new(0));
    let loaders: Vec<_> = (0..2)
        .map(|id| {
            let mut c = Client::new(vm.connect(GUEST_PORT).unwrap());
            let acks = acks.clone();
            thread::spawn(move || {
                let mut acked = Vec::new();
                for i in 0.. {
                    let (key, value) = (format!("k{id}:{i}"), format!("v{i}"));
                    match c.command(&["SET", &key, &value]).as_deref() {
                        Some("+OK") => acked.push((key, value)),
                        Some(other) => panic!("SET answered {other}"),
                        None => break,
                    }
                    acks.fetch_add(1, Ordering::Relaxed);
                }
                acked
            })
        })
        .collect();
    let deadline = Instant::now() + LOAD_LIMIT;
    while acks.load(Ordering::Relaxed) < TARGET_ACKS {
        assert!(
            Instant::now() < deadline,
            "the load did not reach {TARGET_ACKS} acknowledged writes\n{}",
            vm.vm.serial_log()
        );
        thread::sleep(Duration::from_millis(20));
    }
    vm.vm.kill(); // SIGKILL in the middle of the load
    let acked: Vec<(String, String)> = loaders
        .into_iter()
        .flat_map(|l| l.join().expect("loader"))
        .collect();
    drop(vm);

    let vm = boot_on(&disk.0);
    let serial = vm.vm.serial_log();
    assert!(serial.contains("dbserver: log /dev/vda"), "{serial}");
    let mut c = Client::new(vm.connect(GUEST_PORT).unwrap());
    for (key, value) in &acked {
        let got = c.command(&["GET", key]);
        assert_eq!(got.as_deref(), Some(&value[..]), "{key}\n{serial}");
    }
    assert!(acked.len() as u64 >= TARGET_ACKS);
}

#[test]
fn a_disk_whose_writes_fail_refuses_writes_and_keeps_serving_reads() {
    let disk = TempDisk::new("eio");
    {
        let vm = boot_on(&disk.0);
        let mut c = Client::new(vm.connect(GUEST_PORT).unwrap());
        assert_eq!(c.command(&["SET", "kept", "1"]).as_deref(), Some("+OK"));
    } // QEMU killed
    let vm = boot_with(Disk::FailingWrites(disk.0.clone()));
    let mut c = Client::new(vm.connect(GUEST_PORT).unwrap());
    assert_eq!(c.command(&["GET", "kept"]).as_deref(), Some("1"));
    // The first write ran, but its record could not be written: no acknowledgement, the
    // connection is closed.
    assert_eq!(c.command(&["SET", "lost", "x"]), None);
    let mut c = Client::new(vm.connect(GUEST_PORT).unwrap());
    let refused = c.command(&["SET", "refused", "x"]).unwrap_or_default();
    assert!(
        refused.starts_with("-MISCONF Errors writing to the AOF file: Input/output error"),
        "{refused}\n{}",
        vm.vm.serial_log()
    );
    assert_eq!(c.command(&["GET", "kept"]).as_deref(), Some("1"));
    assert!(vm
        .vm
        .serial_log()
        .contains("the log refuses writes from now on"));
}
