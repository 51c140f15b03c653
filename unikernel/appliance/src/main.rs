//! The ring0db appliance image: the ring-0 kernel linked with the database server (KV over
//! RESP, SQL over the MySQL protocol).
//!
//! The server (`dbserver`) runs in ring 0 as the kernel's only application. Its system
//! calls are plain function calls into the kernel (`syscall=call`, default) or go
//! through the kernel's trap vector (`syscall=trap`) for the A/B experiment.
#![no_std]
#![no_main]

extern crate alloc;

mod kernel_calls;
mod settings;
mod trap_calls;

use ring0db_kernel::{entry_point, ExitCode, Kernel};
use settings::{Settings, SyscallPath};

entry_point!(ring0db_kernel::App {
    name: "ring0db appliance",
    keys: settings::KEYS,
    main
});

fn main(kernel: &Kernel) -> ExitCode {
    let settings = match Settings::from_command_line(&kernel.cmdline) {
        Ok(settings) => settings,
        Err(error) => {
            log::error!("boot stopped: {error}");
            return ExitCode::BadCommandLine;
        }
    };
    if !ring0db_kernel::api::net::is_up() {
        log::error!("boot stopped: no network: give ip=ADDR/PREFIX (and gw=ADDR) on the kernel command line");
        return ExitCode::BadCommandLine;
    }
    if !settings.server {
        log::info!("appliance: server=off; serving only the kernel's built-in services");
        ring0db_kernel::api::socket::serve_forever_until(None);
        return ExitCode::Success;
    }
    match settings.server_config.sql_port {
        Some(sql_port) => log::info!(
            "appliance: dbserver on port {} (RESP) and {sql_port} (MySQL) with system calls as {}",
            settings.server_config.port,
            settings.syscall_path.describe()
        ),
        None => log::info!(
            "appliance: dbserver on port {} (RESP; MySQL off) with system calls as {}",
            settings.server_config.port,
            settings.syscall_path.describe()
        ),
    }
    kernel_calls::set_trap_mode(settings.syscall_path == SyscallPath::Trap);
    kernel_calls::calibrate_accounting();
    let result = match settings.syscall_path {
        SyscallPath::Call => dbserver::run(&kernel_calls::KernelCalls, &settings.server_config),
        SyscallPath::Trap => dbserver::run(&trap_calls::TrapCalls, &settings.server_config),
    };
    match result {
        Ok(()) => ExitCode::Success,
        Err(errno) => {
            log::error!("dbserver stopped with errno {}", errno.0);
            ExitCode::TestFailed
        }
    }
}
