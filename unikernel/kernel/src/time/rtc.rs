//! The wall clock: the CMOS real-time clock read once at boot, then advanced by the
//! monotonic TSC clock. QEMU's RTC starts at the host's UTC time (`-rtc base=utc`, the
//! default), so `realtime_ns` is the host's time to within a second.

use core::sync::atomic::{AtomicU64, Ordering};

use crate::arch::pio::cmos_read;

const REG_SECONDS: u8 = 0x00;
const REG_MINUTES: u8 = 0x02;
const REG_HOURS: u8 = 0x04;
const REG_DAY: u8 = 0x07;
const REG_MONTH: u8 = 0x08;
const REG_YEAR: u8 = 0x09;
/// QEMU (and ACPI's FADT default) keep the century here.
const REG_CENTURY: u8 = 0x32;
const REG_STATUS_A: u8 = 0x0a;
const REG_STATUS_B: u8 = 0x0b;
/// Status A: an update of the time registers is in progress.
const STATUS_A_UPDATING: u8 = 0x80;
/// Status B: values are binary (else BCD).
const STATUS_B_BINARY: u8 = 0x04;
/// Status B: hours are 24-hour (else 12-hour with bit 7 = PM).
const STATUS_B_24_HOUR: u8 = 0x02;
const HOUR_PM: u8 = 0x80;
/// Reads of all registers until two agree (an update can tear one read).
const MAX_READS: usize = 8;
const NS_PER_SECOND: u64 = 1_000_000_000;
const SECONDS_PER_DAY: u64 = 86_400;

/// Unix time in ns at monotonic time 0; 0 until [`init`] read the RTC.
static EPOCH_AT_BOOT_NS: AtomicU64 = AtomicU64::new(0);

/// Reads the RTC and anchors the wall clock to the monotonic clock. Returns the Unix
/// time in seconds, or `None` when the RTC gave no consistent or plausible reading.
pub fn init() -> Option<u64> {
    let seconds = read_unix_seconds()?;
    let now_ns = super::now_ns();
    EPOCH_AT_BOOT_NS.store(
        (seconds * NS_PER_SECOND).saturating_sub(now_ns),
        Ordering::Relaxed,
    );
    Some(seconds)
}

/// Nanoseconds since the Unix epoch, if the RTC was read at boot.
pub fn realtime_ns() -> Option<u64> {
    match EPOCH_AT_BOOT_NS.load(Ordering::Relaxed) {
        0 => None,
        epoch => Some(epoch + super::now_ns()),
    }
}

/// The RTC's date and time as raw register values.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Raw {
    second: u8,
    minute: u8,
    hour: u8,
    day: u8,
    month: u8,
    year: u8,
    century: u8,
}

fn read_raw() -> Raw {
    while cmos_read(REG_STATUS_A) & STATUS_A_UPDATING != 0 {
        core::hint::spin_loop();
    }
    Raw {
        second: cmos_read(REG_SECONDS),
        minute: cmos_read(REG_MINUTES),
        hour: cmos_read(REG_HOURS),
        day: cmos_read(REG_DAY),
        month: cmos_read(REG_MONTH),
        year: cmos_read(REG_YEAR),
        century: cmos_read(REG_CENTURY),
    }
}

fn read_unix_seconds() -> Option<u64> {
    let mut previous = read_raw();
    for _ in 0..MAX_READS {
        let raw = read_raw();
        if raw == previous {
            return decode(raw, cmos_read(REG_STATUS_B));
        }
        previous = raw;
    }
    None
}

/// Unix seconds from the RTC registers and status register B.
fn decode(raw: Raw, status_b: u8) -> Option<u64> {
    let binary = status_b & STATUS_B_BINARY != 0;
    let value = |v: u8| -> u64 {
        if binary {
            u64::from(v)
        } else {
            u64::from(v >> 4) * 10 + u64::from(v & 0x0f)
        }
    };
    let pm = raw.hour & HOUR_PM != 0;
    let mut hour = value(raw.hour & !HOUR_PM);
    if status_b & STATUS_B_24_HOUR == 0 {
        hour %= 12;
        if pm {
            hour += 12;
        }
    }
    let century = match value(raw.century) {
        19..=21 => value(raw.century),
        _ => 20,
    };
    let year = century * 100 + value(raw.year);
    let (month, day) = (value(raw.month), value(raw.day));
    let (minute, second) = (value(raw.minute), value(raw.second));
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    Some(days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era).checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(bcd: [u8; 7]) -> Raw {
        let [second, minute, hour, day, month, year, century] = bcd;
        Raw {
            second,
            minute,
            hour,
            day,
            month,
            year,
            century,
        }
    }

    #[test]
    fn decodes_bcd_and_binary_dates() {
        // 2026-11-30 21:36:25 UTC = 1796074585.
        let bcd = raw([0x25, 0x36, 0x21, 0x30, 0x11, 0x26, 0x20]);
        assert_eq!(decode(bcd, STATUS_B_24_HOUR), Some(1_796_074_585));
        let binary = raw([25, 36, 21, 30, 11, 26, 20]);
        assert_eq!(
            decode(binary, STATUS_B_24_HOUR | STATUS_B_BINARY),
            Some(1_796_074_585)
        );
        // 9:36:25 PM in 12-hour BCD.
        let pm = raw([0x25, 0x36, 0x09 | HOUR_PM, 0x30, 0x11, 0x26, 0x20]);
        assert_eq!(decode(pm, 0), Some(1_796_074_585));
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
    }

    #[test]
    fn rejects_implausible_registers() {
        assert_eq!(decode(raw([0, 0, 0, 0x32, 0x01, 0x26, 0x20]), 0), None);
        assert_eq!(decode(raw([0, 0, 0, 0x01, 0x13, 0x26, 0x20]), 0), None);
    }
}
