//! Symbolisation against the kernel ELF with `addr2line` (DWARF line and inline info,
//! falling back to the symbol table), plus locating the sample buffer by name.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{anyhow, Context, Result};
use object::{Object, ObjectSymbol};

/// Demangled-name suffix of the kernel's sample buffer.
pub const BUFFER_SYMBOL: &str = "::RING0DB_PROFILE";

/// Address and size of the symbol whose demangled name ends with `suffix`.
pub fn find_symbol(elf: &Path, suffix: &str) -> Result<(u64, u64)> {
    let data = std::fs::read(elf).with_context(|| format!("read {}", elf.display()))?;
    let file = object::File::parse(&*data).with_context(|| format!("parse {}", elf.display()))?;
    file.symbols()
        .find(|s| {
            s.name()
                .map(|n| format!("{:#}", rustc_demangle::demangle(n)).ends_with(suffix))
                .unwrap_or(false)
        })
        .map(|s| (s.address(), s.size()))
        .ok_or_else(|| anyhow!("{}: no symbol ending in {suffix}", elf.display()))
}

/// Function names for code addresses of one ELF, cached per address.
pub struct Symbols {
    loader: addr2line::Loader,
    cache: HashMap<u64, Vec<String>>,
}

impl Symbols {
    /// Loads `elf`'s debug info and symbol table.
    pub fn load(elf: &Path) -> Result<Symbols> {
        let loader = addr2line::Loader::new(elf)
            .map_err(|e| anyhow!("load symbols of {}: {e}", elf.display()))?;
        Ok(Symbols {
            loader,
            cache: HashMap::new(),
        })
    }

    /// The functions at `address`, outermost first (inlined callees after their caller),
    /// demangled without hashes; `[unknown 0x...]` when nothing covers it.
    pub fn functions(&mut self, address: u64) -> Vec<String> {
        if let Some(names) = self.cache.get(&address) {
            return names.clone();
        }
        let names = self.lookup(address);
        self.cache.insert(address, names.clone());
        names
    }

    fn lookup(&self, address: u64) -> Vec<String> {
        let mut names = Vec::new();
        if let Ok(mut frames) = self.loader.find_frames(address) {
            while let Ok(Some(frame)) = frames.next() {
                if let Some(function) = frame.function {
                    if let Ok(raw) = function.raw_name() {
                        names.push(clean(&raw));
                    }
                }
            }
        }
        if names.is_empty() {
            if let Some(symbol) = self.loader.find_symbol(address) {
                names.push(clean(symbol));
            }
        }
        if names.is_empty() {
            names.push(format!("[unknown {address:#x}]"));
        }
        names.reverse();
        names
    }
}

/// A demangled name without its hash, and without the `;` that separates folded frames.
fn clean(raw: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(raw)).replace(';', ":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[inline(never)]
    fn a_known_function_for_symbolisation(x: u64) -> u64 {
        std::hint::black_box(x).wrapping_mul(3)
    }

    #[test]
    fn resolves_a_function_of_this_test_binary_by_its_elf_address() {
        assert_eq!(a_known_function_for_symbolisation(2), 6);
        let exe = std::env::current_exe().unwrap();
        let (address, size) = find_symbol(&exe, "::a_known_function_for_symbolisation").unwrap();
        assert!(address != 0 && size != 0);
        let mut symbols = Symbols::load(&exe).unwrap();
        let names = symbols.functions(address + size / 2);
        assert!(
            names
                .iter()
                .any(|n| n.ends_with("tests::a_known_function_for_symbolisation")),
            "{names:?}"
        );
    }
}
