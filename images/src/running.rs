//! A running VM: QEMU with its serial console on a pipe, captured, logged and searchable.

use crate::accel::AccelChoice;
use crate::capture::{spawn_serial_reader, spawn_stderr_reader, Capture};
use crate::cleanup;
use crate::disk::{drive_file, Disk, FreshDisk};
use crate::exit::GuestExit;
use crate::netns::NetAttach;
use crate::qemu::{qemu_args, Image};
use crate::vm::VmSpec;
use anyhow::{anyhow, bail, Context, Result};
use std::fs::File;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Per-boot options: where the serial console goes besides the in-memory capture, and
/// which file backs the VM's disk.
#[derive(Debug, Clone, Default)]
pub struct SerialOptions {
    /// Log file for the serial output; `None` = `images/out/logs/<image>-<pid>-<n>.log`.
    pub log_path: Option<PathBuf>,
    /// Also copy the serial output to this process's stdout (interactive use).
    pub echo: bool,
    /// The raw file behind the VM's disk: a fresh one per boot by default.
    pub disk: Disk,
}

/// A QEMU process running one image. Dropping it kills and reaps QEMU, then removes its
/// network namespace (if any).
pub struct RunningVm {
    child: Child,
    serial: Arc<Capture>,
    stderr: Arc<Capture>,
    readers: Vec<JoinHandle<()>>,
    exit: Option<GuestExit>,
    started: Instant,
    log_path: PathBuf,
    args: Vec<String>,
    disk_path: PathBuf,
    // Removed after `child` is killed (see `Drop`); `None` for `Disk::Existing`.
    _fresh_disk: Option<FreshDisk>,
    // Dropped after `child` is killed (see `Drop`), so the namespace outlives QEMU.
    net: NetAttach,
}

/// How long to wait for QEMU's stderr to be drained after its stdout closed.
const STDERR_DRAIN: Duration = Duration::from_secs(1);

static VM_COUNTER: AtomicU32 = AtomicU32::new(0);

/// One connection attempt while waiting for a booting guest. A SYN-ACK over the local
/// tap or slirp link takes about a millisecond; a longer timeout would mostly measure
/// how long a SYN sent before the guest's NIC was up sat unanswered.
const PING_CONNECT_TIMEOUT: Duration = Duration::from_millis(100);

impl RunningVm {
    /// Starts QEMU for `image` in the VM `spec`, attached to `net` (QEMU runs inside the
    /// namespace for tap), with the accelerator `accel`.
    pub fn spawn(
        spec: &VmSpec,
        image: &Image,
        net: NetAttach,
        accel: &AccelChoice,
        serial: SerialOptions,
    ) -> Result<Self> {
        let qemu = find_program(&spec.qemu).with_context(|| {
            format!(
                "{} not found: install it: apt-get install qemu-system-x86",
                spec.qemu
            )
        })?;
        check_readable(&image.kernel, "kernel")?;
        if let Some(initrd) = &image.initrd {
            check_readable(initrd, "initrd")?;
        }
        let (drive, fresh_disk) = drive_file(&serial.disk, spec.disk_mib)?;
        let disk_path = match &serial.disk {
            Disk::Existing(path) | Disk::FailingWrites(path) => path.clone(),
            Disk::Fresh => PathBuf::from(&drive),
        };
        let args = qemu_args(spec, image, &net, accel, Path::new(&drive));
        let mut cmd = match &net {
            NetAttach::Tap(ns) => ns.command(&qemu.to_string_lossy()),
            _ => Command::new(&qemu),
        };
        cmd.args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let log_path = serial
            .log_path
            .clone()
            .unwrap_or_else(|| default_log_path(&image.name));
        if let Some(dir) = log_path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
        }
        let log =
            File::create(&log_path).with_context(|| format!("create {}", log_path.display()))?;
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", qemu.display()))?;
        cleanup::register_pid(child.id());
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("no QEMU stdout"))?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| anyhow!("no QEMU stderr"))?;
        let serial_cap = Arc::new(Capture::default());
        let stderr_cap = Arc::new(Capture::default());
        let readers = vec![
            spawn_serial_reader(stdout, Arc::clone(&serial_cap), log, serial.echo),
            spawn_stderr_reader(stderr, Arc::clone(&stderr_cap)),
        ];
        Ok(RunningVm {
            child,
            serial: serial_cap,
            stderr: stderr_cap,
            readers,
            exit: None,
            started,
            log_path,
            args,
            disk_path,
            _fresh_disk: fresh_disk,
            net,
        })
    }

    /// Waits until a serial line containing `needle` appears and returns that line (without
    /// the line end). Each call searches after the line matched by the previous call.
    /// Fails on timeout or when QEMU exits first, quoting the end of the serial log.
    pub fn wait_for_line(&self, needle: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        let mut st = self.serial.lock();
        loop {
            if let Some(line) = st.take_line_containing(needle) {
                return Ok(line);
            }
            if st.eof {
                drop(st);
                // QEMU is gone: let its last stderr words arrive before quoting them.
                self.stderr.wait_eof(STDERR_DRAIN);
                bail!(
                    "QEMU ended before the guest printed {needle:?}{}",
                    self.diagnostics()
                );
            }
            let now = Instant::now();
            if now >= deadline {
                drop(st);
                bail!(
                    "timed out after {timeout:?} waiting for {needle:?} on the serial console{}",
                    self.diagnostics()
                );
            }
            st = self.serial.wait(st, deadline - now);
        }
    }

    /// Waits up to `timeout` for QEMU to exit and decodes how the guest ended. Once this
    /// returns, [`RunningVm::serial_log`] holds the complete serial output.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<GuestExit> {
        if let Some(exit) = self.exit {
            return Ok(exit);
        }
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().context("waiting for QEMU")? {
                return Ok(self.record_exit(status));
            }
            if Instant::now() >= deadline {
                bail!("QEMU still running after {timeout:?}{}", self.diagnostics());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Non-blocking: how the VM ended, if it has.
    pub fn try_exit(&mut self) -> Result<Option<GuestExit>> {
        if self.exit.is_none() {
            if let Some(status) = self.child.try_wait().context("waiting for QEMU")? {
                self.record_exit(status);
            }
        }
        Ok(self.exit)
    }

    /// Kills QEMU (SIGKILL) and reaps it. Idempotent.
    pub fn kill(&mut self) -> GuestExit {
        if let Some(exit) = self.exit {
            return exit;
        }
        let _ = self.child.kill();
        match self.child.wait() {
            Ok(status) => self.record_exit(status),
            Err(_) => {
                cleanup::unregister_pid(self.child.id());
                *self.exit.insert(GuestExit::Signal(libc::SIGKILL))
            }
        }
    }

    /// QEMU's process id (for CPU-time accounting).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the guest has printed on its serial console so far.
    pub fn serial_log(&self) -> String {
        String::from_utf8_lossy(&self.serial.lock().bytes).into_owned()
    }

    /// Path of the serial log file.
    pub fn serial_log_path(&self) -> &Path {
        &self.log_path
    }

    /// What QEMU printed on stderr so far.
    pub fn qemu_stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().bytes).into_owned()
    }

    /// The QEMU arguments this VM was started with.
    pub fn qemu_args(&self) -> &[String] {
        &self.args
    }

    /// The raw file behind the VM's disk (removed on drop when it was [`Disk::Fresh`]).
    pub fn disk_path(&self) -> &Path {
        &self.disk_path
    }

    /// When QEMU was started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The network attachment (namespace name, client address, connect hint).
    pub fn net(&self) -> &NetAttach {
        &self.net
    }

    /// Opens a TCP connection to the guest's server (inside the namespace for tap).
    pub fn connect(&self, timeout: Duration) -> Result<TcpStream> {
        self.net.connect_tcp(timeout)
    }

    /// Retries a RESP `PING` until the server answers `+PONG` or `timeout` passes; returns
    /// the time from QEMU start to the first `+PONG`.
    pub fn wait_for_ping(&mut self, timeout: Duration) -> Result<Duration> {
        let deadline = Instant::now() + timeout;
        let mut last_err = anyhow!("no attempt made");
        while Instant::now() < deadline {
            if let Some(exit) = self.try_exit()? {
                bail!(
                    "VM ended ({exit}) before answering PING{}",
                    self.diagnostics()
                );
            }
            match self
                .connect(PING_CONNECT_TIMEOUT)
                .and_then(crate::resp::ping)
            {
                Ok(()) => return Ok(self.started.elapsed()),
                Err(e) => last_err = e,
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(last_err.context(format!("no +PONG within {timeout:?}{}", self.diagnostics())))
    }

    fn record_exit(&mut self, status: std::process::ExitStatus) -> GuestExit {
        cleanup::unregister_pid(self.child.id());
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        *self.exit.insert(GuestExit::from_status(status))
    }

    /// The end of the serial log and QEMU's stderr, for error messages.
    fn diagnostics(&self) -> String {
        let serial = self.serial_log();
        let tail: Vec<&str> = serial.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        let mut out = format!(
            "\n--- last serial lines ({}) ---\n{}",
            self.log_path.display(),
            tail.join("\n")
        );
        let stderr = self.qemu_stderr();
        if !stderr.trim().is_empty() {
            out.push_str(&format!("\n--- QEMU stderr ---\n{}", stderr.trim()));
            if let Some(hint) = explain_qemu_stderr(&stderr) {
                out.push_str(&format!("\nhint: {hint}"));
            }
        }
        out
    }
}

impl Drop for RunningVm {
    fn drop(&mut self) {
        self.kill();
        // `self.net` is dropped after this, removing the namespace once QEMU is gone.
    }
}

/// One-line fixes for QEMU errors users hit.
fn explain_qemu_stderr(stderr: &str) -> Option<&'static str> {
    if stderr.contains("host forwarding rule") || stderr.contains("Address already in use") {
        Some("the forwarded loopback port is in use: pick another (NetAttach::user() picks a free one)")
    } else if stderr.contains("Could not access KVM") || stderr.contains("failed to initialize kvm")
    {
        Some("KVM is unusable here: use --accel tcg (or auto)")
    } else if stderr.contains("tap") && stderr.contains("ermission") {
        Some("tap needs root: run as root or use --net user")
    } else if stderr.contains("qboot.rom") || stderr.contains("bios") {
        Some("firmware missing: apt-get install qemu-system-data (qboot.rom) or set firmware in vm.toml")
    } else {
        None
    }
}

fn default_log_path(image: &str) -> PathBuf {
    let n = VM_COUNTER.fetch_add(1, Ordering::Relaxed);
    crate::out_dir()
        .join("logs")
        .join(format!("{image}-{}-{n}.log", std::process::id()))
}

fn check_readable(path: &Path, what: &str) -> Result<()> {
    File::open(path).map(drop).with_context(|| {
        format!(
            "{what} {} is missing: build it first (ring0vm build)",
            path.display()
        )
    })
}

/// Resolves `program` in `PATH` (or checks it when it contains a slash).
pub(crate) fn find_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return p.is_file().then_some(p);
    }
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|p| p.is_file())
}
