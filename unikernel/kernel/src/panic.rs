//! The panic handler: report, backtrace, exit with the panic status.

use core::panic::PanicInfo;

use crate::console::emergency_write;
use crate::exit::{exit, ExitCode};

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    x86_64::instructions::interrupts::disable();
    emergency_write(format_args!("\nring0db: PANIC: {}\n", info.message()));
    if let Some(location) = info.location() {
        emergency_write(format_args!(
            "  at {}:{}:{}\n",
            location.file(),
            location.line(),
            location.column()
        ));
    }
    crate::backtrace::print(0, crate::backtrace::current_frame_pointer());
    exit(ExitCode::Panic)
}
