//! Regression tests of the wrong answers issue 12 found: absolute expire times, overflow,
//! arity.

use super::*;

/// Seconds of the harness's wall clock at its start (`now_ms` 1_000_000).
fn wall_secs(h: &Harness) -> u64 {
    (WALL_OFFSET_MS + h.now_ms) / 1000
}

#[test]
fn set_exat_pxat_are_absolute() {
    let mut h = harness();
    let at = wall_secs(&h) + 100;
    h.check(&alloc::format!("SET k v EXAT {at}"), "+OK\r\n");
    h.check("TTL k", ":100\r\n");
    h.check("EXPIRETIME k", &alloc::format!(":{at}\r\n"));
    let at_ms = (WALL_OFFSET_MS + h.now_ms) + 2_500;
    h.check(&alloc::format!("SET k v PXAT {at_ms}"), "+OK\r\n");
    h.check("PTTL k", ":2500\r\n");
    h.check("PEXPIRETIME k", &alloc::format!(":{at_ms}\r\n"));
    // A time in the past: the key is gone.
    h.check("SET k v PXAT 1", "+OK\r\n");
    h.check("EXISTS k", ":0\r\n");
    h.check(
        "SET k v EXAT 0",
        "-ERR invalid expire time in 'set' command\r\n",
    );
}

#[test]
fn expireat_and_pexpireat() {
    let mut h = harness();
    h.check("SET k v", "+OK\r\n");
    let at = wall_secs(&h) + 50;
    h.check(&alloc::format!("EXPIREAT k {at}"), ":1\r\n");
    h.check("TTL k", ":50\r\n");
    let at_ms = WALL_OFFSET_MS + h.now_ms + 1_234;
    h.check(&alloc::format!("PEXPIREAT k {at_ms}"), ":1\r\n");
    h.check("PTTL k", ":1234\r\n");
    h.check("EXPIREAT nope 1", ":0\r\n");
    h.check("EXPIREAT k 1", ":1\r\n");
    h.check("EXISTS k", ":0\r\n");
    h.check("EXPIRETIME k", ":-2\r\n");
    h.check("SET k v", "+OK\r\n");
    h.check("EXPIRETIME k", ":-1\r\n");
}

#[test]
fn no_wall_clock_is_an_error_not_a_wrong_answer() {
    let mut h = harness();
    h.wall_offset_ms = None;
    h.check(
        "SET k v EXAT 2000000000",
        "-ERR the platform has no wall clock\r\n",
    );
    h.check("EXISTS k", ":0\r\n");
    h.check("SET k v EX 10", "+OK\r\n");
    h.check(
        "EXPIREAT k 2000000000",
        "-ERR the platform has no wall clock\r\n",
    );
    h.check("EXPIRETIME k", "-ERR the platform has no wall clock\r\n");
    h.check("TIME", "-ERR the platform has no wall clock\r\n");
    h.check("TTL k", ":10\r\n");
}

#[test]
fn time_reports_the_wall_clock() {
    let mut h = harness();
    let secs = wall_secs(&h);
    h.check(
        "TIME",
        &alloc::format!(
            "*2\r\n${}\r\n{secs}\r\n$1\r\n0\r\n",
            alloc::format!("{secs}").len()
        ),
    );
}

#[test]
fn expire_overflow_is_refused() {
    let mut h = harness();
    h.check("SET k v", "+OK\r\n");
    for (cmd, arg) in [
        ("expire", "9223370399119966"),
        ("expire", "-9223372036854776"),
        ("pexpire", "9223372036854770000"),
        ("expireat", "9223372036854776"),
    ] {
        h.check(
            &alloc::format!("{cmd} k {arg}"),
            &alloc::format!("-ERR invalid expire time in '{cmd}' command\r\n"),
        );
    }
    h.check("TTL k", ":-1\r\n");
    for (cmd, want) in [
        ("SET k v EX 9223370399119966", "set"),
        ("SET k v PX 9223372036854770000", "set"),
        ("SET k v EXAT 9223372036854776", "set"),
        ("SET k v PX -1", "set"),
        ("SETEX k 0 v", "setex"),
        ("SETEX k 9223370399119966 v", "setex"),
        ("PSETEX k -5 v", "psetex"),
        ("GETEX k EX 0", "getex"),
        ("GETEX k PX 9223372036854770000", "getex"),
    ] {
        h.check(
            cmd,
            &alloc::format!("-ERR invalid expire time in '{want}' command\r\n"),
        );
    }
    h.check("GET k", "$1\r\nv\r\n");
    h.check("TTL k", ":-1\r\n");
}

#[test]
fn expire_conditions() {
    let mut h = harness();
    h.check("SET k v", "+OK\r\n");
    h.check("EXPIRE k 100 XX", ":0\r\n");
    h.check("EXPIRE k 100 GT", ":0\r\n");
    h.check("EXPIRE k 100 NX", ":1\r\n");
    h.check("EXPIRE k 200 NX", ":0\r\n");
    h.check("EXPIRE k 50 GT", ":0\r\n");
    h.check("EXPIRE k 150 GT", ":1\r\n");
    h.check("EXPIRE k 200 LT", ":0\r\n");
    h.check("EXPIRE k 20 LT XX", ":1\r\n");
    h.check("TTL k", ":20\r\n");
    h.check(
        "EXPIRE k 1 NX XX",
        "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n",
    );
    h.check(
        "EXPIRE k 1 GT LT",
        "-ERR GT and LT options at the same time are not compatible\r\n",
    );
    h.check("PERSIST k", ":1\r\n");
    h.check("EXPIRE k 10 LT", ":1\r\n");
}

#[test]
fn arity_of_pops_matches_redis() {
    let mut h = harness();
    h.check(
        "LPOP key 1 1",
        "-ERR wrong number of arguments for 'lpop' command\r\n",
    );
    h.check(
        "RPOP key 1 1",
        "-ERR wrong number of arguments for 'rpop' command\r\n",
    );
    h.check("SPOP key 1 1", "-ERR syntax error\r\n");
    h.check("ZPOPMIN key 1 1", "-ERR syntax error\r\n");
    h.check(
        "GETDEL",
        "-ERR wrong number of arguments for 'getdel' command\r\n",
    );
    h.check(
        "SETEX k 1",
        "-ERR wrong number of arguments for 'setex' command\r\n",
    );
}
