//! The ring0db appliance image: the ring-0 kernel linked with the KV server.
#![no_std]
#![no_main]

use ring0db_kernel::{entry_point, ExitCode, Kernel};

entry_point!(ring0db_kernel::App {
    name: "ring0db appliance",
    keys: &[],
    main
});

fn main(_kernel: &Kernel) -> ExitCode {
    log::info!("appliance: no server linked yet; idle");
    loop {
        ring0db_kernel::arch::cpu::wait_for_interrupt();
    }
}
