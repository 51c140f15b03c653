//! The in-kernel sampling profiler (`profile=HZ`), end to end: the real image boots in
//! QEMU with a known hot loop, the host reads the sample buffer out of guest memory over
//! QMP, symbolises it against the ELF, and finds the loop at the top by its symbol; the
//! sampling NMI is shown to run on its own IST stack and to leave the red zone alone.

use std::time::Duration;

use ring0db_harness::{boot, exit_code, image};
use ring0db_images::profile::{self, ProfileRequest};
use ring0db_images::{Image, NetAttach, RunningVm, SerialOptions, VmSpec};

/// Booting, 400 samples and halting; generous for TCG on a loaded machine.
const HOT_LOOP_TIMEOUT: Duration = Duration::from_secs(300);

fn spawn_profiled(cmdline: &str, request: &ProfileRequest) -> RunningVm {
    let mut spec = VmSpec::load().expect("images/vm.toml");
    spec.extra_args.extend(request.qemu_args());
    let accel = ring0db_harness::accelerator().expect("accelerator");
    let image = Image::unikernel(image().expect("image"))
        .with_append(&format!("{cmdline} {}", request.cmdline_word()));
    RunningVm::spawn(
        &spec,
        &image,
        NetAttach::None,
        &accel,
        SerialOptions::default(),
    )
    .expect("starting QEMU")
}

/// `0x1234..=0x5678` out of a serial line, after `label`.
fn range_after(line: &str, label: &str) -> (u64, u64) {
    let rest = &line[line
        .find(label)
        .unwrap_or_else(|| panic!("{label} in {line}"))
        + label.len()..];
    let hex = |s: &str| u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
    let word = rest
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches(':');
    let (low, high) = word
        .split_once("..=")
        .or_else(|| word.split_once(".."))
        .unwrap_or_else(|| panic!("range in {line}"));
    (hex(low), hex(high))
}

#[test]
fn hot_loop_tops_the_profile_by_symbol_and_the_sampler_runs_on_its_ist_stack() {
    let request = ProfileRequest::new(profile::DEFAULT_HZ);
    let vm = spawn_profiled("test=profile-hot-loop", &request);
    let report_line = vm
        .wait_for_line("handler RSP", HOT_LOOP_TIMEOUT)
        .unwrap_or_else(|e| panic!("{e:#}"));
    vm.wait_for_line("profile: hot loop done", HOT_LOOP_TIMEOUT)
        .unwrap_or_else(|e| panic!("{e:#}\n{}", vm.serial_log()));
    // What the kernel says: the handler's RSP range lies inside the IST2 stack.
    let (rsp_low, rsp_high) = range_after(&report_line, "handler RSP ");
    let (ist_start, ist_end) = range_after(&report_line, "stack ");
    assert!(report_line.contains("IST2"), "{report_line}");
    assert!(
        ist_start <= rsp_low && rsp_high < ist_end,
        "handler RSP {rsp_low:#x}..={rsp_high:#x} outside IST2 {ist_start:#x}..{ist_end:#x}: {report_line}"
    );

    // What the host reads: the same, from the buffer itself, and the loop on top.
    let elf = image().unwrap();
    let capture = profile::capture(&request.socket, &elf, &std::env::temp_dir())
        .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(capture.header.handler_on_ist(), "{:?}", capture.header);
    assert_eq!(
        (capture.header.ist.0, capture.header.ist.1),
        (ist_start, ist_end)
    );
    assert!(capture.samples.len() >= 400, "{:?}", capture.header);
    let out = std::env::temp_dir().join(format!("ring0db-profile-test-{}", std::process::id()));
    let report = profile::write_flamegraph(&capture, &elf, &out, "hot-loop", "hot loop")
        .unwrap_or_else(|e| panic!("{e:#}"));
    let (leaf, count) = report.folded.hottest_leaf().expect("samples");
    assert!(
        leaf.ends_with("profile_hot_loop::profiler_hot_loop"),
        "hottest leaf {leaf}\n{}",
        report.summary()
    );
    assert!(report.folded.percent(count) > 50.0, "{}", report.summary());
    let svg = std::fs::read_to_string(&report.svg_path).unwrap();
    assert!(svg.contains("profiler_hot_loop") && svg.contains("<svg"));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn red_zone_survives_with_profiling_on() {
    let run = boot("test=redzone profile=1000").unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(run.code(), Some(exit_code::SUCCESS), "{}", run.serial);
    assert!(run.printed("red zone: intact"), "{}", run.serial);
    let samples: u64 = run
        .serial
        .lines()
        .find_map(|l| {
            l.split("red zone: ")
                .nth(1)?
                .strip_suffix(" profiler samples (NMIs on IST2) were taken during the check")?
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("no sample count\n{}", run.serial));
    assert!(samples >= 2_000, "{}", run.serial);
}

#[test]
fn a_sampling_rate_out_of_range_stops_the_boot_with_the_limits() {
    let run = boot("profile=5").unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(run.code(), Some(exit_code::BAD_CMDLINE), "{}", run.serial);
    assert!(
        run.printed("invalid value `5` for `profile=` on the kernel command line: expected a sampling rate in Hz from 19 to 10000"),
        "{}",
        run.serial
    );
}
