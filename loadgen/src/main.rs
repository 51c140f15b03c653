//! `loadgen` command-line entry point.
#![forbid(unsafe_code)]

fn main() {
    // Exit through the VM-target layer so a Ctrl-C being handled (QEMU and namespaces
    // still being removed) decides the exit status, not a race with this thread.
    let code = match loadgen::cli::main() {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("Error: {error:?}");
            1
        }
    };
    loadgen::targets::vm::exit(code)
}
