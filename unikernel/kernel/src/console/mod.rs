//! The serial console (COM1) and the `log` facade on top of it.

mod logger;
mod serial;

pub use logger::{init as init_logger, set_level};
pub use serial::{emergency_write, write_fmt, COM1_BASE};
