//! `ring0vm`: build ring0db's images and boot them in the shared VM.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use ring0db_images::{
    build, cleanup, Accel, AccelChoice, Disk, Image, NetAttach, RunningVm, SerialOptions, VmSpec,
};
use std::time::Duration;

/// Like `eprintln!`, but a closed stderr is not a panic (cleanup must still run).
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// How long `boot-time` waits for the first PONG before giving up.
const BOOT_TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Parser)]
#[command(about = "Build ring0db's images and boot them in the one shared VM (images/vm.toml)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build images into images/out.
    Build {
        #[arg(value_enum, default_value = "all")]
        what: BuildWhat,
    },
    /// Boot an image with its serial console on this terminal (Ctrl-C stops and cleans up).
    Boot {
        #[arg(value_enum)]
        image: ImageName,
        #[command(flatten)]
        vm: VmArgs,
        /// Extra kernel command-line words.
        #[arg(long)]
        append: Option<String>,
        /// Print the QEMU command line (shown with user networking) and exit.
        #[arg(long)]
        print_command: bool,
        /// Raw file to use as the VM's disk, kept after the run (boot again from what the
        /// guest wrote). Default: a fresh sparse file of `disk_mib` MiB, removed at exit.
        #[arg(long, value_name = "PATH")]
        disk: Option<std::path::PathBuf>,
    },
    /// Measure QEMU start → first successful PING (client side), median over rounds.
    BootTime {
        #[arg(value_enum)]
        image: ImageName,
        #[command(flatten)]
        vm: VmArgs,
        #[arg(long, default_value_t = 3)]
        rounds: u32,
    },
    /// Boot the unikernel with the sampling profiler, profile it for --seconds (drive load
    /// at it meanwhile, e.g. with loadgen or redis-benchmark), then write a flame graph.
    Profile {
        #[command(flatten)]
        vm: VmArgs,
        /// Seconds to sample after the server answers PING.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Sampling rate in Hz (19-10000).
        #[arg(long, default_value_t = ring0db_images::profile::DEFAULT_HZ)]
        hz: u32,
        /// Extra kernel command-line words.
        #[arg(long)]
        append: Option<String>,
        /// Directory for unikernel-profile.svg and .folded.
        #[arg(long, default_value = "bench-results/profiles")]
        out_dir: std::path::PathBuf,
    },
    /// Remove ring0db-* network namespaces left by processes that no longer exist.
    Cleanup,
}

#[derive(clap::Args)]
struct VmArgs {
    /// Network: tap (netns, root; default when root) or user (loopback forward) or none.
    #[arg(long, value_enum)]
    net: Option<NetKind>,
    /// Accelerator: auto, tcg or kvm.
    #[arg(long, default_value = "auto")]
    accel: Accel,
    /// Override a key of the VM description, e.g. --vm memory_mib=1024 (repeatable).
    #[arg(long = "vm", value_name = "KEY=VALUE")]
    overrides: Vec<String>,
    /// Use the image as built; do not (re)build it first.
    #[arg(long)]
    no_build: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum BuildWhat {
    Unikernel,
    Linux,
    All,
}

#[derive(Clone, Copy, ValueEnum)]
enum ImageName {
    /// The ring-0 unikernel.
    Unikernel,
    /// Linux guest running dbserver.
    Linux,
    /// Linux guest running Debian's redis-server.
    Redis,
    /// Linux guest running Debian's mariadbd on port 3306 (images/mariadb-vm.cnf).
    Mariadb,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum NetKind {
    Tap,
    User,
    None,
}

fn main() {
    if let Err(e) = real_main() {
        note!("ring0vm: error: {e:#}");
        cleanup::exit(1);
    }
}

fn real_main() -> Result<()> {
    let cli = Cli::parse();
    cleanup::install_signal_handler()?;
    match cli.cmd {
        Cmd::Build { what } => build_cmd(what),
        Cmd::Boot {
            image,
            vm,
            append,
            print_command,
            disk,
        } => {
            let disk = disk.map_or(Disk::Fresh, Disk::Existing);
            let code = boot(image, &vm, append.as_deref(), print_command, disk)?;
            cleanup::exit(code);
        }
        Cmd::BootTime { image, vm, rounds } => boot_time(image, &vm, rounds),
        Cmd::Profile {
            vm,
            seconds,
            hz,
            append,
            out_dir,
        } => profile(&vm, seconds, hz, append.as_deref(), &out_dir),
        Cmd::Cleanup => {
            for name in cleanup::remove_stale_netns()? {
                println!("removed {name}");
            }
            Ok(())
        }
    }
}

fn build_cmd(what: BuildWhat) -> Result<()> {
    if matches!(what, BuildWhat::Unikernel | BuildWhat::All) {
        println!("{}", build::unikernel()?.display());
    }
    if matches!(what, BuildWhat::Linux | BuildWhat::All) {
        let g = build::linux_guest()?;
        println!("{} ({})", g.vmlinuz.display(), g.kernel_package);
        println!("{}", g.initrd_dbserver.display());
        println!("{}", g.initrd_redis.display());
        println!("{}", g.initrd_mariadb.display());
    }
    Ok(())
}

/// The image, built unless `--no-build`.
fn image(name: ImageName, no_build: bool) -> Result<Image> {
    let out = ring0db_images::out_dir();
    let linux = |initrd: &str| -> Result<(std::path::PathBuf, std::path::PathBuf)> {
        if no_build {
            Ok((out.join("linux/vmlinuz"), out.join("linux").join(initrd)))
        } else {
            let g = build::linux_guest()?;
            let initrd = if initrd.contains("redis") {
                g.initrd_redis
            } else if initrd.contains("mariadb") {
                g.initrd_mariadb
            } else {
                g.initrd_dbserver
            };
            Ok((g.vmlinuz, initrd))
        }
    };
    Ok(match name {
        ImageName::Unikernel => Image::unikernel(if no_build {
            out.join("ring0db.elf")
        } else {
            build::unikernel()?
        }),
        ImageName::Linux => {
            let (k, i) = linux("initrd-dbserver.cpio.gz")?;
            Image::linux("linux", k, i)
        }
        ImageName::Redis => {
            let (k, i) = linux("initrd-redis.cpio.gz")?;
            Image::linux("redis", k, i)
        }
        ImageName::Mariadb => {
            let (k, i) = linux("initrd-mariadb.cpio.gz")?;
            Image::linux("mariadb", k, i)
        }
    })
}

fn prepare(vm: &VmArgs) -> Result<(VmSpec, AccelChoice)> {
    let mut spec = VmSpec::load()?;
    spec.set_all(&vm.overrides)?;
    let accel = vm.accel.resolve()?;
    note!("ring0vm: accelerator {} ({})", accel.accel, accel.reason);
    Ok((spec, accel))
}

fn net(kind: Option<NetKind>) -> Result<NetAttach> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    match kind {
        Some(NetKind::Tap) => NetAttach::tap(),
        Some(NetKind::User) => NetAttach::user_with_sql(),
        Some(NetKind::None) => Ok(NetAttach::None),
        None if root => NetAttach::tap(),
        None => {
            note!("ring0vm: not root, using --net user");
            NetAttach::user_with_sql()
        }
    }
}

fn boot(
    name: ImageName,
    vm: &VmArgs,
    append: Option<&str>,
    print_command: bool,
    disk: Disk,
) -> Result<i32> {
    let (spec, accel) = prepare(vm)?;
    let image = image(name, vm.no_build)?.with_append(append.unwrap_or(""));
    let net = if print_command {
        NetAttach::User { host_port: 16379 }
    } else {
        net(vm.net)?
    };
    if print_command {
        let disk_path = match &disk {
            Disk::Existing(path) | Disk::FailingWrites(path) => path.clone(),
            Disk::Fresh => std::env::temp_dir().join("ring0db-disk-PID-N/disk.raw"),
        };
        let args = ring0db_images::qemu_args(&spec, &image, &net, &accel, &disk_path);
        let quoted: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
        println!("{} {}", spec.qemu, quoted.join(" "));
        return Ok(0);
    }
    let mut vm = RunningVm::spawn(
        &spec,
        &image,
        net,
        &accel,
        SerialOptions {
            log_path: None,
            echo: true,
            disk,
        },
    )?;
    note!(
        "ring0vm: QEMU pid {}; serial log {}",
        vm.pid(),
        vm.serial_log_path().display()
    );
    note!("ring0vm: disk {}", vm.disk_path().display());
    note!("ring0vm: connect with: {}", vm.net().connect_hint());
    note!("ring0vm: Ctrl-C stops the VM and removes its network namespace");
    let exit = loop {
        if let Some(exit) = vm.try_exit()? {
            break exit;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    note!("ring0vm: {exit}");
    drop(vm);
    Ok(if exit.is_success() { 0 } else { 1 })
}

fn profile(
    vm: &VmArgs,
    seconds: u64,
    hz: u32,
    append: Option<&str>,
    out_dir: &std::path::Path,
) -> Result<()> {
    let (mut spec, accel) = prepare(vm)?;
    let request = ring0db_images::profile::ProfileRequest::new(hz);
    spec.extra_args.extend(request.qemu_args());
    let image = image(ImageName::Unikernel, vm.no_build)?
        .with_append(append.unwrap_or(""))
        .with_append(&request.cmdline_word());
    let mut running = RunningVm::spawn(
        &spec,
        &image,
        net(vm.net)?,
        &accel,
        SerialOptions::default(),
    )?;
    running
        .wait_for_ping(BOOT_TIMEOUT)
        .with_context(|| format!("serial log {}", running.serial_log_path().display()))?;
    note!(
        "ring0vm: profiling for {seconds} s at {hz} Hz; connect with: {}",
        running.net().connect_hint()
    );
    // The sampling window itself, not a synchronisation.
    std::thread::sleep(Duration::from_secs(seconds));
    let elf = image.kernel.clone();
    let capture = ring0db_images::profile::capture(&request.socket, &elf, out_dir)?;
    let report = ring0db_images::profile::write_flamegraph(
        &capture,
        &elf,
        out_dir,
        "unikernel-profile",
        &format!("ring0db unikernel, {hz} Hz, {seconds} s"),
    )?;
    println!("{}", report.summary());
    Ok(())
}

fn boot_time(name: ImageName, vm: &VmArgs, rounds: u32) -> Result<()> {
    if rounds == 0 {
        bail!("--rounds must be at least 1");
    }
    let (spec, accel) = prepare(vm)?;
    let image = image(name, vm.no_build)?;
    let mut times = Vec::new();
    for round in 1..=rounds {
        let net = net(vm.net)?;
        if matches!(net, NetAttach::None) {
            bail!("boot-time needs a network: use --net tap or --net user");
        }
        let mut running = RunningVm::spawn(&spec, &image, net, &accel, SerialOptions::default())?;
        let t = running.wait_for_ping(BOOT_TIMEOUT).with_context(|| {
            format!(
                "round {round}: serial log {}",
                running.serial_log_path().display()
            )
        })?;
        println!("round {round}: {:.3} s to first PONG", t.as_secs_f64());
        times.push(t);
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{}: median {:.3} s over {rounds} rounds ({})",
        image.name,
        median.as_secs_f64(),
        accel.reason
    );
    Ok(())
}

/// Quotes `arg` for a POSIX shell when needed.
fn shell_quote(arg: &str) -> String {
    if !arg.is_empty()
        && arg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=.,/:@+".contains(&b))
    {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}
