//! `report` renders a deterministic CSV into exactly the golden report, plus valid SVG charts.
//!
//! Set `UPDATE_GOLDEN=1` to rewrite `tests/golden/report.md` after an intended change.

mod common;

use std::fs;
use std::path::Path;

use loadgen::report;

#[test]
fn report_matches_golden_and_charts_are_valid_svg() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let dir = tempfile::tempdir().unwrap();
    for f in ["results.csv", "environment.txt"] {
        fs::copy(golden.join(f), dir.path().join(f)).unwrap();
    }
    let path = report::render_dir(dir.path()).unwrap();
    let got = fs::read_to_string(&path).unwrap();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(golden.join("report.md"), &got).unwrap();
    }
    let want = fs::read_to_string(golden.join("report.md")).unwrap();
    assert_eq!(got, want, "report.md differs from tests/golden/report.md");

    let labels = ["unikernel", "linux-vm", "linux-host", "get:p1", "set:p16"];
    common::assert_svg(&dir.path().join(report::THROUGHPUT_SVG), &labels);
    common::assert_svg(&dir.path().join(report::P99_SVG), &labels);
}

#[test]
fn report_command_rerenders_a_directory() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let dir = tempfile::tempdir().unwrap();
    fs::copy(golden.join("results.csv"), dir.path().join("results.csv")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loadgen"))
        .arg("report")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("| linux-vm | tcg | 2 |"));
    assert!(md.contains("(no environment.txt next to the CSV)"));
}
