//! Whatever way a VM ends — guest exit, a failure in the caller, Ctrl-C — no network
//! namespace, tap device or QEMU process of ours is left behind (real QEMU, TCG, root).

mod common;

use common::{boot_on_tap, linux_guest, netns_list, process_alive, require_root, spec_and_accel};
use ring0db_images::{GuestExit, Image, NetAttach, RunningVm, SerialOptions};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn assert_gone(netns: &str, qemu_pid: u32) {
    assert!(
        !netns_list().iter().any(|n| n == netns),
        "namespace {netns} was left behind"
    );
    assert!(
        !process_alive(qemu_pid),
        "QEMU pid {qemu_pid} was left running"
    );
}

#[test]
fn guest_shutdown_is_reported_and_cleaned_up() {
    let mut vm = boot_on_tap(&linux_guest().redis_image());
    let (netns, pid) = (vm.net().netns().unwrap().name().to_owned(), vm.pid());
    let mut s = vm.connect(Duration::from_secs(5)).unwrap();
    // The server exits; the guest's /init then reboots, which -no-reboot turns into QEMU exit 0.
    let _ = ring0db_images::resp::command(&mut s, &["SHUTDOWN", "NOSAVE"]);
    let exit = vm
        .wait_exit(Duration::from_secs(60))
        .expect("guest powers off");
    assert_eq!(exit, GuestExit::Qemu(0), "serial log:\n{}", vm.serial_log());
    assert!(exit.is_success());
    assert!(vm.serial_log().contains("ring0db-linux: server exited"));
    drop(vm);
    assert_gone(&netns, pid);
}

#[test]
fn failures_in_the_caller_clean_up() {
    require_root();
    let (spec, accel) = spec_and_accel();

    // Spawning fails after the namespace exists (missing kernel): the namespace goes away.
    let net = NetAttach::tap().unwrap();
    let netns = net.netns().unwrap().name().to_owned();
    let missing = Image::unikernel("/nonexistent/ring0db.elf".into());
    let err = RunningVm::spawn(&spec, &missing, net, &accel, SerialOptions::default())
        .err()
        .expect("must fail");
    assert!(format!("{err:#}").contains("missing"), "{err:#}");
    assert!(!netns_list().contains(&netns));

    // A panic while the VM runs: unwinding drops the VM, killing QEMU and removing the netns.
    let image = linux_guest().redis_image();
    let result = std::panic::catch_unwind(|| {
        let net = NetAttach::tap().unwrap();
        let vm = RunningVm::spawn(&spec, &image, net, &accel, SerialOptions::default()).unwrap();
        let ids = (vm.net().netns().unwrap().name().to_owned(), vm.pid());
        std::thread::sleep(Duration::from_millis(500));
        std::panic::panic_any(ids);
    });
    let (netns, pid) = *result
        .expect_err("panicked")
        .downcast::<(String, u32)>()
        .unwrap();
    assert_gone(&netns, pid);

    // A timeout while waiting for the guest is an error, not a hang; drop cleans up.
    let net = NetAttach::tap().unwrap();
    let vm = RunningVm::spawn(&spec, &image, net, &accel, SerialOptions::default()).unwrap();
    let (netns, pid) = (vm.net().netns().unwrap().name().to_owned(), vm.pid());
    let err = vm
        .wait_for_line("this line never appears", Duration::from_millis(300))
        .unwrap_err();
    assert!(format!("{err}").contains("timed out"), "{err:#}");
    drop(vm);
    assert_gone(&netns, pid);
}

#[test]
fn ctrl_c_to_ring0vm_boot_cleans_up() {
    require_root();
    linux_guest(); // built, so `--no-build` boots the current images
    let mut child = Command::new(env!("CARGO_BIN_EXE_ring0vm"))
        .args(["boot", "redis", "--net", "tap", "--no-build"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ring0vm");
    // Keep draining ring0vm's stderr so its messages never hit a closed pipe.
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        stderr
            .lines()
            .map_while(Result::ok)
            .for_each(|l| drop(tx.send(l)))
    });
    let mut qemu_pid = None;
    let mut netns = None;
    let mut disk = None;
    while let Ok(line) = rx.recv_timeout(common::BOOT_TIMEOUT) {
        if let Some(rest) = line.strip_prefix("ring0vm: disk ") {
            disk = Some(std::path::PathBuf::from(rest.trim()));
        }
        if let Some(rest) = line.strip_prefix("ring0vm: QEMU pid ") {
            qemu_pid = rest
                .split(';')
                .next()
                .and_then(|p| p.trim().parse::<u32>().ok());
        }
        if let Some(rest) = line.strip_prefix("ring0vm: connect with: ip netns exec ") {
            netns = rest.split_whitespace().next().map(str::to_owned);
            break;
        }
    }
    let (qemu_pid, netns) = (qemu_pid.expect("QEMU pid line"), netns.expect("netns line"));
    let disk = disk.expect("disk line");
    assert!(netns_list().contains(&netns));
    assert!(
        disk.exists(),
        "the fresh disk {} is missing",
        disk.display()
    );
    // Wait for the guest's server, as a user would, then press Ctrl-C.
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let deadline = Instant::now() + common::BOOT_TIMEOUT;
    let mut serving = false;
    for line in stdout.lines().map_while(Result::ok) {
        if line.contains("ring0db-linux: serving on port") {
            serving = true;
            break;
        }
        assert!(Instant::now() < deadline, "guest did not start serving");
    }
    assert!(serving, "ring0vm's console ended before the guest served");
    // SAFETY: kill has no memory-safety preconditions; the pid is our live child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "ring0vm exit status after Ctrl-C");
    assert_gone(&netns, qemu_pid);
    assert!(
        !disk.exists(),
        "the fresh disk {} was left behind",
        disk.display()
    );
}
