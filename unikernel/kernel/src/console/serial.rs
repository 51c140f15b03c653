//! COM1 through `uart_16550`, behind a spin lock. Fatal paths use
//! [`emergency_write`], which does not wait for the lock (the faulting code may hold it).

use core::fmt::{self, Write};

use spin::Mutex;
use uart_16550::SerialPort;

/// I/O base of COM1, also handed to `BootInfo::serial_port_base`.
pub const COM1_BASE: u16 = 0x3f8;

static COM1: Mutex<Option<SerialPort>> = Mutex::new(None);

fn open_com1() -> SerialPort {
    // SAFETY: COM1_BASE is the standard COM1 I/O base that QEMU emulates; the port is
    // only driven through this module.
    let mut port = unsafe { SerialPort::new(COM1_BASE) };
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
    // SAFETY: see `open_com1`; a second handle to the same UART only risks interleaved
    // characters, which is acceptable on the fatal path.
    let mut port = unsafe { SerialPort::new(COM1_BASE) };
    let _ = port.write_fmt(args);
}
