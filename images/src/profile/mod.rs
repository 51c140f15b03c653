//! The host side of the unikernel's sampling profiler (`profile=HZ`, see
//! `ring0db_kernel::profile`): reads the kernel's sample buffer out of guest memory
//! through QMP, symbolises it against `images/out/ring0db.elf` and writes folded stacks
//! and a flame-graph SVG (`inferno`) with a root frame per side (kernel / server).
//!
//! Why QMP `memsave` and not the serial console or a TCP port: it needs no code in the
//! guest (so the network fast path is neither touched nor disturbed, and a wedged guest
//! can still be read), the guest is paused while it is read so the buffer is consistent,
//! and it works the same whether the VM is killed afterwards (`loadgen`) or not.

pub mod fold;
pub mod linux;
pub mod qmp;
pub mod samples;
pub mod symbols;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use anyhow::{Context, Result};

pub use fold::{Folded, Side};
pub use samples::{Header, Sample};

/// The default sampling rate (measured cost: see README, "Profiling the unikernel").
pub const DEFAULT_HZ: u32 = 100;
/// How long to wait for QEMU's QMP socket.
const QMP_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

static SOCKET_COUNTER: AtomicU32 = AtomicU32::new(0);

/// What a VM needs to be profiled: the kernel key and a QMP socket to read it through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRequest {
    /// Samples per second (`profile=HZ`).
    pub hz: u32,
    /// Where QEMU listens for QMP.
    pub socket: PathBuf,
}

impl ProfileRequest {
    /// A request at `hz` with a fresh socket path (in the temp dir: Unix socket paths
    /// are limited to 107 bytes).
    pub fn new(hz: u32) -> ProfileRequest {
        let n = SOCKET_COUNTER.fetch_add(1, Ordering::Relaxed);
        let socket =
            std::env::temp_dir().join(format!("ring0db-qmp-{}-{n}.sock", std::process::id()));
        ProfileRequest { hz, socket }
    }

    /// The kernel command-line word.
    pub fn cmdline_word(&self) -> String {
        format!("profile={}", self.hz)
    }

    /// The extra QEMU arguments (a QMP server on [`Self::socket`]).
    pub fn qemu_args(&self) -> Vec<String> {
        qmp::qemu_args(&self.socket)
    }
}

impl Drop for ProfileRequest {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// The samples read out of a guest.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The buffer's header.
    pub header: Header,
    /// Every sample written, in order.
    pub samples: Vec<Sample>,
}

/// Pauses the guest behind `socket` and reads its sample buffer (located in `elf`),
/// using `scratch` for QEMU's dump files.
pub fn capture(socket: &Path, elf: &Path, scratch: &Path) -> Result<Capture> {
    let (address, _) = symbols::find_symbol(elf, symbols::BUFFER_SYMBOL)?;
    let mut qmp = qmp::Qmp::connect(socket, QMP_CONNECT_TIMEOUT)?;
    qmp.stop()?;
    std::fs::create_dir_all(scratch).with_context(|| format!("create {}", scratch.display()))?;
    let dump = scratch.join(format!(".profile-{}.bin", std::process::id()));
    let read = |qmp: &mut qmp::Qmp, at: u64, size: usize| -> Result<Vec<u8>> {
        qmp.memsave(at, size as u64, &dump)?;
        let bytes = std::fs::read(&dump).with_context(|| format!("read {}", dump.display()));
        let _ = std::fs::remove_file(&dump);
        bytes
    };
    let header = Header::decode(&read(&mut qmp, address, samples::HEADER_BYTES)?)?;
    let samples = if header.written == 0 {
        Vec::new()
    } else {
        let bytes = read(
            &mut qmp,
            address + samples::HEADER_BYTES as u64,
            header.samples_bytes(),
        )?;
        samples::decode_samples(&header, &bytes)?
    };
    Ok(Capture { header, samples })
}

/// What [`write_flamegraph`] wrote and found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The folded stacks.
    pub folded_path: PathBuf,
    /// The flame graph.
    pub svg_path: PathBuf,
    /// The buffer's header.
    pub header: Header,
    /// The stacks and the split per side.
    pub folded: Folded,
}

impl Report {
    /// One line for the terminal: counts, the split per side, the hottest leaf.
    pub fn summary(&self) -> String {
        let f = &self.folded;
        let hottest = f.hottest_text();
        format!(
            "profile: {} samples at {} Hz ({} dropped): kernel {:.1}%, server {:.1}%, idle {:.1}% (kernel by the kernel's own mark {:.1}%){hottest}; {}",
            f.total(),
            self.header.hz,
            self.header.dropped,
            f.percent(f.kernel),
            f.percent(f.server),
            f.percent(f.idle),
            f.percent(f.kernel_marked),
            self.svg_path.display()
        )
    }
}

/// Symbolises `capture` against `elf` and writes `<out_dir>/<name>.folded` and
/// `<out_dir>/<name>.svg` titled `title`.
pub fn write_flamegraph(
    capture: &Capture,
    elf: &Path,
    out_dir: &Path,
    name: &str,
    title: &str,
) -> Result<Report> {
    let mut symbols = symbols::Symbols::load(elf)?;
    let folded = fold::fold(&capture.samples, |address| symbols.functions(address));
    let (folded_path, svg_path) = write_folded_and_svg(&folded, out_dir, name, title)?;
    Ok(Report {
        folded_path,
        svg_path,
        header: capture.header,
        folded,
    })
}

/// Writes `folded` as `<out_dir>/<name>.folded` and its flame graph `<out_dir>/<name>.svg`
/// titled `title`; returns both paths.
fn write_folded_and_svg(
    folded: &Folded,
    out_dir: &Path,
    name: &str,
    title: &str,
) -> Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(out_dir).with_context(|| format!("create {}", out_dir.display()))?;
    let folded_path = out_dir.join(format!("{name}.folded"));
    let text = folded.text();
    std::fs::write(&folded_path, &text)
        .with_context(|| format!("write {}", folded_path.display()))?;
    let svg_path = out_dir.join(format!("{name}.svg"));
    let svg = std::fs::File::create(&svg_path)
        .with_context(|| format!("create {}", svg_path.display()))?;
    let mut options = inferno::flamegraph::Options::default();
    options.title = title.to_string();
    options.count_name = "samples".to_string();
    if text.is_empty() {
        options.no_javascript = true;
    }
    inferno::flamegraph::from_lines(&mut options, text.lines(), std::io::BufWriter::new(svg))
        .with_context(|| format!("write {}", svg_path.display()))?;
    Ok((folded_path, svg_path))
}
