//! Unit tests of command replies.
