use super::*;

#[test]
fn strings_and_accounting() {
    let mut s = Store::new();
    s.set_str(b"k", b"hello", Ttl::Clear, 0);
    assert_eq!(s.used_bytes(), 1 + ENTRY_OVERHEAD_BYTES + 5);
    s.set_str(b"k", b"hi", Ttl::Clear, 0);
    assert_eq!(s.used_bytes(), 1 + ENTRY_OVERHEAD_BYTES + 2);
    assert_eq!(s.append(b"k", b"!!", 0), Ok(4));
    assert_eq!(s.used_bytes(), 1 + ENTRY_OVERHEAD_BYTES + 4);
    assert!(s.delete(b"k", 0));
    assert_eq!(s.used_bytes(), 0);
}

#[test]
fn lazy_and_active_expiry() {
    let mut s = Store::new();
    s.set_str(b"a", b"1", Ttl::At(100), 0);
    s.set_str(b"b", b"2", Ttl::At(200), 0);
    assert_eq!(s.ttl_ms(b"a", 40), Some(Some(60)));
    assert!(s.get(b"a", 99).is_some());
    assert!(s.get(b"a", 100).is_none());
    assert_eq!(s.len(), 1);
    assert_eq!(s.expire_due(150, 10), 0);
    assert_eq!(s.expire_due(250, 10), 1);
    assert!(s.is_empty());
    assert_eq!(s.used_bytes(), 0);
    assert_eq!(s.keys_with_expiry(), 0);
    assert_eq!(s.expired_keys(), 2);
}

#[test]
fn overwrite_clears_or_keeps_ttl() {
    let mut s = Store::new();
    s.set_str(b"a", b"1", Ttl::At(100), 0);
    s.set_str(b"a", b"2", Ttl::Keep, 0);
    assert_eq!(s.ttl_ms(b"a", 0), Some(Some(100)));
    s.set_str(b"a", b"3", Ttl::Clear, 0);
    assert_eq!(s.ttl_ms(b"a", 0), Some(None));
    assert_eq!(s.keys_with_expiry(), 0);
}

#[test]
fn collections_are_deleted_when_empty_and_accounted() {
    let mut s = Store::new();
    let items: [&[u8]; 3] = [b"a", b"bb", b"ccc"];
    assert_eq!(s.push(b"l", items.iter().copied(), false, 0), Ok(3));
    assert_eq!(
        s.pop(b"l", 2, false, 0),
        Ok(alloc::vec![b"ccc".to_vec(), b"bb".to_vec()])
    );
    assert_eq!(s.pop(b"l", 5, true, 0), Ok(alloc::vec![b"a".to_vec()]));
    assert!(!s.exists(b"l", 0));
    assert_eq!(s.used_bytes(), 0);
    assert_eq!(s.sadd(b"s", items.iter().copied(), 0), Ok(3));
    assert_eq!(s.spop(b"s", 3, 0).map(|v| v.len()), Ok(3));
    assert_eq!(s.used_bytes(), 0);
    assert_eq!(s.hset(b"h", [(&b"f"[..], &b"v"[..])].into_iter(), 0), Ok(1));
    assert_eq!(s.hdel(b"h", [&b"f"[..]].into_iter(), 0), Ok(1));
    assert!(s.is_empty());
    assert_eq!(s.used_bytes(), 0);
    assert_eq!(s.push(b"l", items.iter().copied(), false, 0), Ok(3));
    assert_eq!(s.sadd(b"l", items.iter().copied(), 0), Err(WrongType));
}
