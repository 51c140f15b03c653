//! COM1 through `uart_16550`, behind a spin lock. Fatal paths use
//! [`emergency_write`], which does not wait for the lock (the faulting code may hold it).

use core::fmt::{self, Write};

use spin::Mutex;
use uart_16550::SerialPort;

use crate::arch::pio;

/// I/O base of COM1, also handed to `BootInfo::serial_port_base`.
pub const COM1_BASE: u16 = pio::COM1_BASE;

static COM1: Mutex<Option<SerialPort>> = Mutex::new(None);

fn open_com1() -> SerialPort {
    let mut port = pio::com1();
    port.init();
    port
}

/// Writes formatted text to the console, initialising COM1 on first use.
pub fn write_fmt(args: fmt::Arguments<'_>) {
    let mut guard = COM1.lock();
    let port = guard.get_or_insert_with(open_com1);
    let _ = port.write_fmt(args);
}

/// Writes to COM1 without taking the lock: for exception and panic reports, where the
/// interrupted code may hold it. Output may interleave; it is never lost to a deadlock.
pub fn emergency_write(args: fmt::Arguments<'_>) {
    // A second handle to the same UART only risks interleaved characters, which is
    // acceptable on the fatal path.
    let mut port = pio::com1();
    let _ = port.write_fmt(args);
}
