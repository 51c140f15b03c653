//! COM1 through `uart_16550`, behind a spin lock. Fatal paths use
//! [`emergency_write`], which does not wait for the lock (the faulting code may hold it).
//!
//! The console is a byte stream in `embedded-io`'s vocabulary: [`SerialWriter`] implements
//! `embedded_io::{ErrorType, Write}` (the console only writes), and formatted output goes
//! through `embedded_io::Write::write_fmt`.

use core::convert::Infallible;
use core::fmt;

use embedded_io::{ErrorType, Write};
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

/// A UART as an `embedded_io` byte sink. Writing waits for the transmitter (it never fails
/// and never writes less than asked, so `Error` is `Infallible`).
pub struct SerialWriter<'a>(pub &'a mut SerialPort);

impl ErrorType for SerialWriter<'_> {
    type Error = Infallible;
}

impl Write for SerialWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &byte in buf {
            self.0.send(byte);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        // `send` returns once the byte is in the transmit holding register; nothing is
        // buffered on our side.
        Ok(())
    }
}

/// Writes formatted text to the console, initialising COM1 on first use.
pub fn write_fmt(args: fmt::Arguments<'_>) {
    let mut guard = COM1.lock();
    let port = guard.get_or_insert_with(open_com1);
    let _ = SerialWriter(port).write_fmt(args);
}

/// Writes to COM1 without taking the lock: for exception and panic reports, where the
/// interrupted code may hold it. Output may interleave; it is never lost to a deadlock.
pub fn emergency_write(args: fmt::Arguments<'_>) {
    // A second handle to the same UART only risks interleaved characters, which is
    // acceptable on the fatal path.
    let mut port = pio::com1();
    let _ = SerialWriter(&mut port).write_fmt(args);
}
