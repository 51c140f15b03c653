//! The arguments of one parsed request, as ranges into the buffer they were parsed from.

/// The arguments of one parsed request: ranges into a byte buffer.
#[derive(Clone, Copy)]
pub struct Args<'a> {
    data: &'a [u8],
    ranges: &'a [(usize, usize)],
}

impl<'a> Args<'a> {
    /// Arguments over `data` (for tests and callers that build requests themselves).
    pub fn new(data: &'a [u8], ranges: &'a [(usize, usize)]) -> Self {
        Self { data, ranges }
    }

    /// Number of arguments, the command name included.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// True when the request had no arguments at all.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Argument `i`, or an empty slice when out of range.
    pub fn get(&self, i: usize) -> &'a [u8] {
        self.ranges
            .get(i)
            .and_then(|&(s, e)| self.data.get(s..e))
            .unwrap_or(&[])
    }

    /// Arguments from `from` on.
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &'a [u8]> + Clone + 'a {
        let data = self.data;
        self.ranges
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .map(move |&(s, e)| data.get(s..e).unwrap_or(&[]))
    }
}
