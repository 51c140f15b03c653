//! Image recipes and the shared VM description.
