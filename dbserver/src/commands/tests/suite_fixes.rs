//! Regression tests of the last failures Redis 7.0's own suite found (info-command, set).

use super::*;

#[test]
fn info_all_has_commandstats_with_rejected_and_failed_calls_default_does_not() {
    let mut h = harness();
    h.check("SET a 1", "+OK\r\n");
    h.check(
        "GET",
        "-ERR wrong number of arguments for 'get' command\r\n",
    );
    h.check(
        "LPUSH a x",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    for section in ["all", "everything", "commandstats"] {
        let info = h.run(&alloc::format!("INFO {section}"));
        assert!(
            info.contains("cmdstat_get:calls=0,rejected_calls=1,failed_calls=0\r\n"),
            "{section}: {info}"
        );
        assert!(
            info.contains("cmdstat_lpush:calls=1,rejected_calls=0,failed_calls=1\r\n"),
            "{section}: {info}"
        );
        assert!(info.contains("cmdstat_set:calls=1,rejected_calls=0,failed_calls=0\r\n"));
    }
    for default in ["INFO", "INFO default"] {
        let info = h.run(default);
        assert!(!info.contains("rejected_calls"), "{default}: {info}");
        assert!(
            info.contains("# Replication\r\nrole:master\r\n"),
            "{default}: {info}"
        );
        assert!(
            info.contains("master_repl_offset:0\r\n"),
            "{default}: {info}"
        );
    }
    let cpu_only = h.run("INFO cpu");
    assert!(cpu_only.contains("used_cpu_user:") && !cpu_only.contains("master_repl_offset"));
    h.check("CONFIG RESETSTAT", "+OK\r\n");
    assert!(!h.run("INFO commandstats").contains("cmdstat_get"));
}

#[test]
fn smove_of_a_member_already_in_the_destination_leaves_it_untouched() {
    let mut h = harness();
    h.check("SADD src a b", ":2\r\n");
    h.check("SADD dst a", ":1\r\n");
    h.check("WATCH dst", "+OK\r\n");
    h.check("SMOVE src dst a", ":1\r\n");
    h.check("MULTI", "+OK\r\n");
    h.check("SCARD dst", "+QUEUED\r\n");
    // dst did not change, so the transaction runs.
    h.check("EXEC", "*1\r\n:1\r\n");
    h.check("SISMEMBER src a", ":0\r\n");
    // A member new to the destination does change it.
    h.check("WATCH dst", "+OK\r\n");
    h.check("SMOVE src dst b", ":1\r\n");
    h.check("MULTI", "+OK\r\n");
    h.check("SCARD dst", "+QUEUED\r\n");
    h.check("EXEC", "*-1\r\n");
    h.check("SCARD dst", ":2\r\n");
}

#[test]
fn hincrbyfloat_refuses_an_infinite_increment_and_creates_nothing() {
    let mut h = harness();
    for inf in ["+inf", "-inf", "inf"] {
        h.check(
            &alloc::format!("HINCRBYFLOAT hfoo field {inf}"),
            "-ERR value is NaN or Infinity\r\n",
        );
    }
    h.check("EXISTS hfoo", ":0\r\n");
    // A finite increment that overflows is the other error.
    h.check("HSET hfoo f 1.7e308", ":1\r\n");
    h.check(
        "HINCRBYFLOAT hfoo f 1.7e308",
        "-ERR increment would produce NaN or Infinity\r\n",
    );
}
