//! The receive side of the NIC: every RX buffer stays posted except the one frame lent
//! to the network stack, which is re-posted on the next receive.

use core::sync::atomic::Ordering;

use super::{Transmitter, VirtioNic, BUFFER_BYTES, ERRORS, RX_BYTES, RX_PACKETS, TX_QUEUE_FULL};

impl VirtioNic {
    /// The next received frame, without consuming it: the following [`receive`]
    /// returns the same frame. Lets the network layer see where a frame goes before
    /// smoltcp processes it.
    ///
    /// [`receive`]: VirtioNic::receive
    pub fn peek(&mut self) -> Option<&[u8]> {
        self.repost_lent_rx();
        let (slot, header, length) = self.stage()?;
        // SAFETY: a staged slot is out of the ring (completed, not re-posted) until
        // `receive` lends it and a later call re-posts it; `header + length` was checked
        // in `stage`. The borrow of `self` keeps it from being re-posted meanwhile.
        Some(unsafe { core::slice::from_raw_parts(self.rx.slot(slot).add(header), length) })
    }

    /// Takes the next completed RX buffer off the used ring (once) and keeps it staged.
    fn stage(&mut self) -> Option<(u16, usize, usize)> {
        if let Some(staged) = self.rx_staged {
            return Some(staged);
        }
        let token = self.raw.poll_receive()?;
        let Some(&slot) = self.rx_slot_by_token.get(usize::from(token)) else {
            return self.device_error("RX token out of range");
        };
        let buffer = self.rx.slot(slot);
        // SAFETY: `buffer` is the slot posted with this token (recorded in `post_rx`);
        // the device is done with it once it shows up in the used ring.
        let received = unsafe {
            self.raw
                .receive_complete(token, core::slice::from_raw_parts_mut(buffer, BUFFER_BYTES))
        };
        match received {
            Ok((header, length)) if header + length <= BUFFER_BYTES => {
                self.rx_staged = Some((slot, header, length));
                self.rx_staged
            }
            _ => {
                if self.post_rx(slot).is_err() {
                    log::error!("virtio-net: cannot re-post RX buffer {slot}");
                }
                self.device_error("bad RX completion")
            }
        }
    }

    /// The next received frame, with a transmitter for a reply. `None` when nothing was
    /// received, or when no TX buffer is free (backpressure: the frame stays queued).
    pub fn receive(&mut self) -> Option<(&[u8], Transmitter<'_>)> {
        self.repost_lent_rx();
        self.reclaim_tx();
        if self.rx_staged.is_none() && self.raw.poll_receive().is_none() {
            return None;
        }
        let Some(tx_slot) = self.take_tx_slot() else {
            TX_QUEUE_FULL.fetch_add(1, Ordering::Relaxed);
            return None;
        };
        let Some((slot, header, length)) = self.stage() else {
            self.tx_release(tx_slot);
            return None;
        };
        self.rx_staged = None;
        let buffer = self.rx.slot(slot);
        self.rx_lent = Some(slot);
        RX_PACKETS.fetch_add(1, Ordering::Relaxed);
        RX_BYTES.fetch_add(length as u64, Ordering::Relaxed);
        // SAFETY: the slot is out of the ring until the next `receive` (which needs
        // `&mut self`, so this borrow has ended); `header + length` was checked above.
        let frame = unsafe { core::slice::from_raw_parts(buffer.add(header), length) };
        Some((
            frame,
            Transmitter {
                nic: self,
                slot: Some(tx_slot),
            },
        ))
    }

    /// Re-posts the RX buffer lent by the last `receive`.
    pub fn repost_lent_rx(&mut self) {
        if let Some(slot) = self.rx_lent.take() {
            if let Err(error) = self.post_rx(slot) {
                ERRORS.fetch_add(1, Ordering::Relaxed);
                log::error!("virtio-net: cannot re-post RX buffer {slot}: {error}");
            }
        }
    }

    pub(super) fn post_rx(&mut self, slot: u16) -> Result<(), virtio_drivers::Error> {
        let buffer = self.rx.slot(slot);
        // SAFETY: the slot belongs to no one else until it is completed and lent out by
        // `receive`; the pool lives as long as the NIC.
        let token = unsafe {
            self.raw
                .receive_begin(core::slice::from_raw_parts_mut(buffer, BUFFER_BYTES))?
        };
        if let Some(entry) = self.rx_slot_by_token.get_mut(usize::from(token)) {
            *entry = slot;
        }
        Ok(())
    }
}
