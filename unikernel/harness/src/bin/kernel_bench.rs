//! Kernel benchmarks that boot the real image and print numbers (never asserted):
//!
//! - `boot-time`: QEMU start → banner on the serial console, N rounds, median.
//! - `irq-cost`: interrupt entry+exit in cycles with general registers only, and with
//!   SIMD state saved by FXSAVE or XSAVE (the kernel's `bench=irq` mode).
//! - `null-call`: a null system call as a function call and as a trap inside the image
//!   (`bench=nullcall`), and a real `getppid` system call on the host.
//!
//! - `echo-vs-get`: dbserver's GET P=1 throughput against the echo ceiling in the same
//!   booted image, same connection count and request bytes, rounds interleaved.
//!
//! Each writes a CSV under `bench-results/kernel/` with the environment in every row.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use ring0db_harness::{accelerator, boot, time_to_banner, NetVm, Network};
use ring0db_images::environment;

#[derive(Parser)]
#[command(about = "Benchmarks of the ring0db kernel, run in QEMU")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Directory for the CSV files.
    #[arg(long, default_value = "bench-results/kernel")]
    out: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// QEMU start → kernel banner, median of N boots.
    BootTime {
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// Interrupt entry+exit cost with and without saving SIMD state.
    IrqCost,
    /// Null system call: function call and trap in the image, getppid on the host.
    NullCall,
    /// The ceiling of the virtual network path: the kernel's built-in echo service,
    /// round trips/s on one connection and MB/s streamed through it, per network mode.
    Echo {
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Seconds of ping-pong per round.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// MiB streamed through the echo (each way) per round.
        #[arg(long, default_value_t = 32)]
        mebibytes: usize,
    },
    /// dbserver's GET at pipeline depth 1 vs the echo ceiling: one image serving both,
    /// `connections` clients each sending loadgen's GET request (a 100-byte value),
    /// echo and GET phases interleaved per round.
    EchoVsGet {
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Seconds per phase.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        #[arg(long, default_value_t = 8)]
        connections: usize,
    },
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    fs::create_dir_all(&cli.out).with_context(|| format!("create {}", cli.out.display()))?;
    let environment = Environment::capture()?;
    eprintln!("accelerator: {}", environment.accel_reason);
    match cli.command {
        Command::BootTime { rounds } => boot_time(&cli.out, &environment, rounds),
        Command::IrqCost => irq_cost(&cli.out, &environment),
        Command::NullCall => null_call(&cli.out, &environment),
        Command::Echo {
            rounds,
            seconds,
            mebibytes,
        } => echo(
            &cli.out,
            &environment,
            rounds,
            Duration::from_secs(seconds),
            mebibytes,
        ),
        Command::EchoVsGet {
            rounds,
            seconds,
            connections,
        } => echo_vs_get(
            &cli.out,
            &environment,
            rounds,
            Duration::from_secs(seconds),
            connections,
        ),
    }
}

/// The GET request loadgen sends for a 10-character key, and the reply to expect.
const GET_REQUEST: &[u8] = b"*2\r\n$3\r\nGET\r\n$10\r\nkey:000001\r\n";

fn echo_vs_get(
    out: &std::path::Path,
    environment: &Environment,
    rounds: usize,
    phase: Duration,
    connections: usize,
) -> Result<()> {
    const ECHO_PORT: u16 = 7;
    const KV_PORT: u16 = 6379;
    let vm = NetVm::boot(Network::Tap, &format!("echo={ECHO_PORT}"))?;
    let value = [b'v'; 100];
    let mut set = Vec::new();
    set.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$10\r\nkey:000001\r\n$100\r\n");
    set.extend_from_slice(&value);
    set.extend_from_slice(b"\r\n");
    let mut stream = vm.connect(KV_PORT)?;
    stream.write_all(&set)?;
    let mut ok = [0u8; 5];
    std::io::Read::read_exact(&mut stream, &mut ok)?;
    anyhow::ensure!(&ok == b"+OK\r\n", "SET answered {ok:?}");
    let mut get_reply = b"$100\r\n".to_vec();
    get_reply.extend_from_slice(&value);
    get_reply.extend_from_slice(b"\r\n");
    let mut csv = format!(
        "{},round,connections,request_bytes,echo_round_trips_per_s,get_ops_per_s,get_vs_echo\n",
        Environment::HEADER
    );
    let mut ratios = Vec::new();
    for round in 1..=rounds {
        let echo = parallel_ping_pong(&vm, ECHO_PORT, connections, phase, GET_REQUEST)?;
        let get = parallel_ping_pong(&vm, KV_PORT, connections, phase, &get_reply)?;
        let ratio = get / echo;
        eprintln!("round {round}/{rounds}: echo {echo:.0} round trips/s, GET {get:.0} ops/s, GET/echo {ratio:.2}");
        csv.push_str(&format!(
            "{},{round},{connections},{},{echo:.0},{get:.0},{ratio:.3}\n",
            environment.row(),
            GET_REQUEST.len()
        ));
        ratios.push((ratio, echo, get));
    }
    ratios.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (ratio, echo, get) = ratios[ratios.len() / 2];
    println!(
        "GET P=1 vs echo, {connections} connections, {}-byte requests (median of {rounds} by ratio): echo {echo:.0} round trips/s, GET {get:.0} ops/s, GET/echo {ratio:.2}",
        GET_REQUEST.len()
    );
    let path = out.join("echo-vs-get.csv");
    fs::write(&path, csv).with_context(|| format!("write {}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

/// `connections` clients on `port`, each sending [`GET_REQUEST`] and reading `reply`
/// (its exact bytes) in a loop for `phase`; completed round trips per second in total.
fn parallel_ping_pong(
    vm: &NetVm,
    port: u16,
    connections: usize,
    phase: Duration,
    reply: &[u8],
) -> Result<f64> {
    let streams = (0..connections)
        .map(|_| vm.connect(port))
        .collect::<Result<Vec<_>>>()?;
    let start = std::time::Instant::now();
    let counts = std::thread::scope(|scope| {
        let workers: Vec<_> = streams
            .into_iter()
            .map(|mut stream| {
                scope.spawn(move || -> Result<u64> {
                    use std::io::Read;
                    stream.set_nodelay(true)?;
                    let mut got = vec![0u8; reply.len()];
                    let mut count = 0u64;
                    while start.elapsed() < phase {
                        stream.write_all(GET_REQUEST)?;
                        stream.read_exact(&mut got)?;
                        anyhow::ensure!(got == reply, "unexpected reply {got:?}");
                        count += 1;
                    }
                    Ok(count)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().map_err(|_| anyhow::anyhow!("client panicked"))?)
            .collect::<Result<Vec<u64>>>()
    })?;
    Ok(counts.iter().sum::<u64>() as f64 / start.elapsed().as_secs_f64())
}

fn boot_time(out: &std::path::Path, environment: &Environment, rounds: usize) -> Result<()> {
    let mut times: Vec<Duration> = Vec::new();
    for round in 1..=rounds {
        let time = time_to_banner("test=boot")?;
        eprintln!("round {round}/{rounds}: {:.1} ms", ms(time));
        times.push(time);
    }
    let path = out.join("boot-time.csv");
    let mut csv = String::from(Environment::HEADER);
    csv.push_str(",round,qemu_start_to_banner_ms\n");
    for (round, time) in times.iter().enumerate() {
        csv.push_str(&format!(
            "{},{},{:.3}\n",
            environment.row(),
            round + 1,
            ms(*time)
        ));
    }
    fs::write(&path, csv).with_context(|| format!("write {}", path.display()))?;
    times.sort();
    println!(
        "boot time (QEMU start -> banner), median of {rounds}: {:.1} ms (min {:.1}, max {:.1})",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    println!("wrote {}", path.display());
    Ok(())
}

fn irq_cost(out: &std::path::Path, environment: &Environment) -> Result<()> {
    let rows = in_image_rows("irq")?;
    let path = out.join("irq-entry.csv");
    write_rows(
        &path,
        environment,
        "variant,round,cycles_per_interrupt,ns_per_interrupt",
        &rows,
    )?;
    println!(
        "interrupt entry+exit (median of rounds, guest cycles; {}):",
        environment.accel_reason
    );
    print_medians(&rows, "cycles");
    println!("wrote {}", path.display());
    Ok(())
}

fn null_call(out: &std::path::Path, environment: &Environment) -> Result<()> {
    let mut rows = in_image_rows("nullcall")?;
    let rounds = rows
        .iter()
        .map(|r| r.round.clone())
        .collect::<std::collections::BTreeSet<_>>();
    for round in rounds {
        let ns = host_getppid_ns();
        rows.push(Row {
            variant: "host-getppid-syscall".into(),
            round,
            cycles: None,
            ns,
        });
    }
    let path = out.join("null-call.csv");
    write_rows(
        &path,
        environment,
        "path,round,cycles_per_call,ns_per_call",
        &rows,
    )?;
    println!(
        "null system call (median of rounds; {}):",
        environment.accel_reason
    );
    print_medians(&rows, "cycles");
    println!("  (image rows: guest cycles and guest-TSC ns; host row: host wall-clock ns of a real system call)");
    println!("wrote {}", path.display());
    Ok(())
}

/// One measurement row: the kernel prints `bench-NAME,variant,round,cycles,ns`.
struct Row {
    variant: String,
    round: String,
    cycles: Option<u64>,
    ns: f64,
}

/// Boots with `bench=NAME` and parses its rows.
fn in_image_rows(name: &str) -> Result<Vec<Row>> {
    let run = boot(&format!("bench={name}"))?;
    if run.code() != Some(ring0db_harness::exit_code::SUCCESS) {
        bail!("bench={name} failed ({}):\n{}", run.exit, run.serial);
    }
    let prefix = format!("bench-{name},");
    let rows: Vec<Row> = run
        .serial
        .lines()
        .filter_map(|line| {
            let mut fields = line.strip_prefix(&prefix)?.split(',');
            let (variant, round) = (fields.next()?.to_string(), fields.next()?.to_string());
            let cycles = Some(fields.next()?.parse().ok()?);
            Some(Row {
                variant,
                round,
                cycles,
                ns: fields.next()?.parse().ok()?,
            })
        })
        .collect();
    if rows.is_empty() {
        bail!("the kernel printed no bench-{name} rows:\n{}", run.serial);
    }
    Ok(rows)
}

fn write_rows(
    path: &std::path::Path,
    environment: &Environment,
    header: &str,
    rows: &[Row],
) -> Result<()> {
    let mut file = fs::File::create(path).with_context(|| format!("create {}", path.display()))?;
    writeln!(file, "{},{header}", Environment::HEADER)?;
    for row in rows {
        let cycles = row.cycles.map(|c| c.to_string()).unwrap_or_default();
        writeln!(
            file,
            "{},{},{},{cycles},{:.1}",
            environment.row(),
            row.variant,
            row.round,
            row.ns
        )?;
    }
    Ok(())
}

/// Prints the median per variant, in order of first appearance, with the ratio to the first.
fn print_medians(rows: &[Row], unit: &str) {
    let mut variants: Vec<&str> = Vec::new();
    for row in rows {
        if !variants.contains(&row.variant.as_str()) {
            variants.push(&row.variant);
        }
    }
    let mut baseline = None;
    for variant in variants {
        let median = |value: &dyn Fn(&Row) -> Option<f64>| {
            let mut values: Vec<f64> = rows
                .iter()
                .filter(|r| r.variant == variant)
                .filter_map(value)
                .collect();
            values.sort_by(f64::total_cmp);
            values.get(values.len() / 2).copied()
        };
        let ns = median(&|r| Some(r.ns)).unwrap_or(0.0);
        match median(&|r| r.cycles.map(|c| c as f64)) {
            Some(cycles) => {
                let base = *baseline.get_or_insert(cycles);
                println!(
                    "  {variant:<22} {cycles:>8.0} {unit} {ns:>9.1} ns  ({:.2}x the first)",
                    cycles / base
                );
            }
            None => println!("  {variant:<22} {:>8} {unit} {ns:>9.1} ns", "-"),
        }
    }
}

/// Host wall-clock ns of one real `getppid` system call (glibc does not cache it).
fn host_getppid_ns() -> f64 {
    const CALLS: u32 = 1_000_000;
    let start = std::time::Instant::now();
    for _ in 0..CALLS {
        std::hint::black_box(std::os::unix::process::parent_id());
    }
    start.elapsed().as_nanos() as f64 / f64::from(CALLS)
}

fn echo(
    out: &std::path::Path,
    environment: &Environment,
    rounds: usize,
    ping_pong: Duration,
    mebibytes: usize,
) -> Result<()> {
    const ECHO_PORT: u16 = 7;
    let mut csv = format!(
        "{},net_mode,round,round_trips_per_s,stream_mb_per_s\n",
        Environment::HEADER
    );
    let mut results: Vec<(&str, f64, f64)> = Vec::new();
    for round in 1..=rounds {
        for mode in ["irq", "poll"] {
            let vm = NetVm::boot(
                Network::Tap,
                &format!("server=off echo={ECHO_PORT} net={mode}"),
            )?;
            let round_trips = echo_round_trips(&vm.connect(ECHO_PORT)?, ping_pong)?;
            let mb_per_s = echo_stream(vm.connect(ECHO_PORT)?, mebibytes)?;
            eprintln!("round {round}/{rounds} net={mode}: {round_trips:.0} round trips/s, {mb_per_s:.1} MB/s");
            csv.push_str(&format!(
                "{},{mode},{round},{round_trips:.0},{mb_per_s:.2}\n",
                environment.row()
            ));
            results.push((mode, round_trips, mb_per_s));
        }
    }
    let path = out.join("echo.csv");
    fs::write(&path, csv).with_context(|| format!("write {}", path.display()))?;
    println!(
        "echo ceiling (median of {rounds}; {}):",
        environment.accel_reason
    );
    for mode in ["irq", "poll"] {
        let median = |pick: fn(&(&str, f64, f64)) -> f64| {
            let mut values: Vec<f64> = results.iter().filter(|r| r.0 == mode).map(pick).collect();
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        println!(
            "  net={mode:<4} {:>8.0} round trips/s  {:>7.1} MB/s each way",
            median(|r| r.1),
            median(|r| r.2)
        );
    }
    println!("wrote {}", path.display());
    Ok(())
}

/// 64-byte ping-pong on one connection for `duration`; round trips per second.
fn echo_round_trips(stream: &std::net::TcpStream, duration: Duration) -> Result<f64> {
    use std::io::Read;
    stream.set_nodelay(true)?;
    let mut stream = stream;
    let (message, mut reply) = ([0x5au8; 64], [0u8; 64]);
    let start = std::time::Instant::now();
    let mut count = 0u64;
    while start.elapsed() < duration {
        stream.write_all(&message)?;
        stream.read_exact(&mut reply)?;
        anyhow::ensure!(reply == message, "echo returned different bytes");
        count += 1;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

/// Streams `mebibytes` through the echo (a writer thread and this reader); MB/s each way.
fn echo_stream(stream: std::net::TcpStream, mebibytes: usize) -> Result<f64> {
    use std::io::Read;
    const CHUNK: usize = 64 * 1024;
    let total = mebibytes * 1024 * 1024;
    let mut writer = stream.try_clone()?;
    let start = std::time::Instant::now();
    let sender = std::thread::spawn(move || -> std::io::Result<()> {
        let chunk = vec![0xa5u8; CHUNK];
        for _ in 0..total / CHUNK {
            writer.write_all(&chunk)?;
        }
        Ok(())
    });
    let (mut reader, mut buffer, mut received) = (stream, vec![0u8; CHUNK], 0);
    while received < total {
        let n = reader.read(&mut buffer)?;
        anyhow::ensure!(n > 0, "echo closed after {received} bytes");
        anyhow::ensure!(
            buffer[..n].iter().all(|b| *b == 0xa5),
            "echo returned different bytes"
        );
        received += n;
    }
    sender
        .join()
        .map_err(|_| anyhow::anyhow!("writer thread panicked"))??;
    Ok(total as f64 / 1e6 / start.elapsed().as_secs_f64())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Where a number was measured; repeated in every CSV row so rows stand alone.
struct Environment {
    utc_time: String,
    git_commit: String,
    accelerator: String,
    accel_reason: String,
    cpu_model: String,
    qemu_version: String,
}

impl Environment {
    const HEADER: &'static str =
        "utc_time,git_commit,accelerator,accel_reason,cpu_model,qemu_version";

    fn capture() -> Result<Environment> {
        let accel = accelerator()?;
        Ok(Environment {
            utc_time: environment::utc_now().0,
            git_commit: environment::git_commit(),
            accelerator: accel.accel.qemu_name().to_string(),
            accel_reason: accel.reason,
            cpu_model: environment::cpu_model(),
            qemu_version: environment::qemu_version(),
        })
    }

    fn row(&self) -> String {
        [
            &self.utc_time,
            &self.git_commit,
            &self.accelerator,
            &self.accel_reason,
            &self.cpu_model,
            &self.qemu_version,
        ]
        .iter()
        .map(|field| csv_field(field))
        .collect::<Vec<_>>()
        .join(",")
    }
}

fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}
