//! `loadgen` command-line entry point.
#![forbid(unsafe_code)]

fn main() -> anyhow::Result<()> {
    loadgen::cli::main()
}
