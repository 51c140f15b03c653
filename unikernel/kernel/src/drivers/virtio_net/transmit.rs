//! The transmit side of the NIC: TX buffers with their virtio-net header written once,
//! reserved by a [`Transmitter`], filled in place, and reclaimed when the device is done.

use core::sync::atomic::Ordering;

use super::{
    NicError, VirtioNic, BUFFER_BYTES, ERRORS, QUEUE_SIZE, TX_BYTES, TX_PACKETS, TX_QUEUE_FULL,
};

impl VirtioNic {
    /// A transmitter with a reserved TX buffer, or `None` when all are in flight.
    pub fn transmitter(&mut self) -> Option<Transmitter<'_>> {
        self.reclaim_tx();
        match self.take_tx_slot() {
            Some(slot) => Some(Transmitter {
                nic: self,
                slot: Some(slot),
            }),
            None => {
                TX_QUEUE_FULL.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }

    /// Returns TX buffers whose transmission the device finished to the free list.
    pub fn reclaim_tx(&mut self) {
        while let Some(token) = self.raw.poll_transmit() {
            let Some(&slot) = self.tx_slot_by_token.get(usize::from(token)) else {
                self.device_error::<()>("TX token out of range");
                return;
            };
            let length = usize::from(self.tx_bytes[usize::from(slot)]);
            // SAFETY: the same slot and length `Transmitter::send` queued with this token.
            let done = unsafe {
                self.raw.transmit_complete(
                    token,
                    core::slice::from_raw_parts(self.tx.slot(slot), length),
                )
            };
            if done.is_err() {
                self.device_error::<()>("bad TX completion");
                return;
            }
            self.tx_release(slot);
        }
    }

    /// Writes the (all-default) virtio-net header in front of every TX buffer once.
    pub(super) fn write_tx_headers(&mut self) -> Result<(), NicError> {
        for slot in 0..QUEUE_SIZE as u16 {
            // SAFETY: TX buffers are not in the ring during init; the pool is ours.
            let buffer =
                unsafe { core::slice::from_raw_parts_mut(self.tx.slot(slot), BUFFER_BYTES) };
            self.header_bytes = self
                .raw
                .fill_buffer_header(buffer)
                .map_err(NicError::Driver)?;
        }
        Ok(())
    }

    pub(super) fn take_tx_slot(&mut self) -> Option<u16> {
        if self.tx_free_count == 0 || !self.raw.can_send() {
            return None;
        }
        self.tx_free_count -= 1;
        Some(self.tx_free[self.tx_free_count])
    }

    pub(super) fn tx_release(&mut self, slot: u16) {
        if self.tx_free_count < QUEUE_SIZE {
            self.tx_free[self.tx_free_count] = slot;
            self.tx_free_count += 1;
        }
    }
}

/// A reserved TX buffer. Dropping it unused returns the buffer.
pub struct Transmitter<'a> {
    pub(super) nic: &'a mut VirtioNic,
    pub(super) slot: Option<u16>,
}

impl Transmitter<'_> {
    /// Lets `fill` write a `length`-byte frame into the buffer, then queues it.
    pub fn send<R>(mut self, length: usize, fill: impl FnOnce(&mut [u8]) -> R) -> R {
        let nic = &mut *self.nic;
        let header = nic.header_bytes;
        let length = length.min(BUFFER_BYTES - header);
        let Some(slot) = self.slot.take() else {
            // Unreachable: a transmitter always holds a slot until `send` consumes it.
            let mut scratch = [0u8; 0];
            return fill(&mut scratch);
        };
        let buffer = nic.tx.slot(slot);
        // SAFETY: the slot was taken off the free list for this transmitter, so the
        // device does not own it; `header + length <= BUFFER_BYTES`.
        let result = fill(unsafe { core::slice::from_raw_parts_mut(buffer.add(header), length) });
        let total = header + length;
        // SAFETY: the buffer stays untouched until `reclaim_tx` sees its token in the
        // used ring and completes it with the same slot and length.
        let queued = unsafe {
            nic.raw
                .transmit_begin(core::slice::from_raw_parts(buffer, total))
        };
        match queued {
            Ok(token) => {
                if let Some(entry) = nic.tx_slot_by_token.get_mut(usize::from(token)) {
                    *entry = slot;
                }
                nic.tx_bytes[usize::from(slot)] = total as u16;
                TX_PACKETS.fetch_add(1, Ordering::Relaxed);
                TX_BYTES.fetch_add(length as u64, Ordering::Relaxed);
            }
            Err(error) => {
                nic.tx_release(slot);
                ERRORS.fetch_add(1, Ordering::Relaxed);
                log::warn!("virtio-net: frame not queued: {error}");
            }
        }
        result
    }
}

impl Drop for Transmitter<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.nic.tx_release(slot);
        }
    }
}
