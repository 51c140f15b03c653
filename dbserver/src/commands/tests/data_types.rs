//! Replies of the data-type commands: strings, counters, keys and expiry, lists, sets,
//! hashes, sorted sets, and the glob matcher.

use super::*;

#[test]
fn strings() {
    let mut h = harness();
    h.check("GET k", "$-1\r\n");
    h.check("SET k v", "+OK\r\n");
    h.check("get k", "$1\r\nv\r\n");
    h.check("SET k w NX", "$-1\r\n");
    h.check("SET k w XX GET", "$1\r\nv\r\n");
    h.check("SET new w XX", "$-1\r\n");
    h.check("SET k w NX XX", "-ERR syntax error\r\n");
    h.check("SET k w EX", "-ERR syntax error\r\n");
    h.check(
        "SET k w EX x",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check(
        "SET k w EX 0",
        "-ERR invalid expire time in 'set' command\r\n",
    );
    h.check(
        "SET k w EX 9223372036854775807",
        "-ERR invalid expire time in 'set' command\r\n",
    );
    h.check("APPEND k xyz", ":4\r\n");
    h.check("STRLEN k", ":4\r\n");
    h.check("STRLEN nope", ":0\r\n");
    h.check("MSET a 1 b 2", "+OK\r\n");
    h.check(
        "MSET a 1 b",
        "-ERR wrong number of arguments for 'mset' command\r\n",
    );
    h.check("MGET a nope b", "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n");
}

#[test]
fn counters() {
    let mut h = harness();
    h.check("INCR n", ":1\r\n");
    h.check("INCRBY n 10", ":11\r\n");
    h.check("DECR n", ":10\r\n");
    h.check("DECRBY n 20", ":-10\r\n");
    h.check(
        "INCRBY n x",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("SET n 9223372036854775807", "+OK\r\n");
    h.check("INCR n", "-ERR increment or decrement would overflow\r\n");
    h.check(
        "DECRBY n -9223372036854775808",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("SET s abc", "+OK\r\n");
    h.check("INCR s", "-ERR value is not an integer or out of range\r\n");
    h.check("LPUSH l a", ":1\r\n");
    h.check(
        "INCR l",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn keys_and_expiry() {
    let mut h = harness();
    h.check("SET a 1 EX 10", "+OK\r\n");
    h.check("TTL a", ":10\r\n");
    h.check("PTTL a", ":10000\r\n");
    h.now_ms += 9_400;
    h.check("TTL a", ":1\r\n");
    h.now_ms += 600;
    h.check("GET a", "$-1\r\n");
    h.check("TTL a", ":-2\r\n");
    h.check("SET b 1", "+OK\r\n");
    h.check("TTL b", ":-1\r\n");
    h.check("EXPIRE b 5", ":1\r\n");
    h.check("EXPIRE nope 5", ":0\r\n");
    h.check(
        "EXPIRE b x",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("EXPIRE b 5 NX", ":0\r\n");
    h.check("EXPIRE b 5 FOO", "-ERR Unsupported option FOO\r\n");
    h.check(
        "EXPIRE b 9223372036854775807",
        "-ERR invalid expire time in 'expire' command\r\n",
    );
    h.check("PERSIST b", ":1\r\n");
    h.check("PERSIST b", ":0\r\n");
    h.check("PEXPIRE b 1500", ":1\r\n");
    h.check("PTTL b", ":1500\r\n");
    h.check("EXISTS b b nope", ":2\r\n");
    h.check("TYPE b", "+string\r\n");
    h.check("TYPE nope", "+none\r\n");
    h.check("KEYS *", "*1\r\n$1\r\nb\r\n");
    // Active expiry removes the key without anyone touching it.
    h.now_ms += 2_000;
    assert_eq!(h.shared.store.expire_due(h.now_ms, 100), 1);
    h.check("DBSIZE", ":0\r\n");
    h.check("SET c 1", "+OK\r\n");
    h.check("EXPIRE c -1", ":1\r\n");
    h.check("EXISTS c", ":0\r\n");
    h.check("SET d 1", "+OK\r\n");
    h.check("DEL d d nope", ":1\r\n");
    h.check("SET k v PX 100", "+OK\r\n");
    h.check("SET k v KEEPTTL", "+OK\r\n");
    h.check("PTTL k", ":100\r\n");
    h.check("SET k v", "+OK\r\n");
    h.check("PTTL k", ":-1\r\n");
}

#[test]
fn lists() {
    let mut h = harness();
    h.check("LPUSH l a b c", ":3\r\n");
    h.check("RPUSH l d", ":4\r\n");
    h.check(
        "LRANGE l 0 -1",
        "*4\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n",
    );
    h.check("LRANGE l -2 100", "*2\r\n$1\r\na\r\n$1\r\nd\r\n");
    h.check("LRANGE l 5 10", "*0\r\n");
    h.check("LRANGE l 2 1", "*0\r\n");
    h.check("LRANGE l -100 0", "*1\r\n$1\r\nc\r\n");
    h.check(
        "LRANGE l a 1",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("LLEN l", ":4\r\n");
    h.check("LPOP l", "$1\r\nc\r\n");
    h.check("RPOP l 2", "*2\r\n$1\r\nd\r\n$1\r\na\r\n");
    h.check(
        "LPOP l -1",
        "-ERR value is out of range, must be positive\r\n",
    );
    h.check("LPOP l 0", "*0\r\n");
    h.check("RPOP l", "$1\r\nb\r\n");
    h.check("LPOP l", "$-1\r\n");
    h.check("LPOP l 2", "*-1\r\n");
    h.check("EXISTS l", ":0\r\n");
    h.check("SET s x", "+OK\r\n");
    h.check(
        "LPUSH s a",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check(
        "LPOP s",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check(
        "LRANGE s 0 1",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn sets_and_hashes() {
    let mut h = harness();
    h.check("SADD s a b a", ":2\r\n");
    h.check("SCARD s", ":2\r\n");
    h.check("SISMEMBER s a", ":1\r\n");
    h.check("SISMEMBER s z", ":0\r\n");
    assert!(h.run("SMEMBERS s").starts_with("*2\r\n"));
    assert!(h.run("SPOP s").starts_with("$1\r\n"));
    assert!(h.run("SPOP s 5").starts_with("*1\r\n"));
    h.check("SPOP s", "$-1\r\n");
    h.check("SPOP s 3", "*0\r\n");
    h.check("SMEMBERS s", "*0\r\n");
    h.check("HSET h f v g w", ":2\r\n");
    h.check("HSET h f v2", ":0\r\n");
    h.check(
        "HSET h f",
        "-ERR wrong number of arguments for 'hset' command\r\n",
    );
    h.check(
        "HSET h f v g",
        "-ERR wrong number of arguments for 'hset' command\r\n",
    );
    h.check("HMSET h x y", "+OK\r\n");
    h.check("HGET h f", "$2\r\nv2\r\n");
    h.check("HGET h nope", "$-1\r\n");
    h.check("HLEN h", ":3\r\n");
    assert!(h.run("HGETALL h").starts_with("*6\r\n"));
    h.check("HDEL h f g nope", ":2\r\n");
    h.check("HDEL h x", ":1\r\n");
    h.check("EXISTS h", ":0\r\n");
    h.check("HGETALL h", "*0\r\n");
    h.check("SADD h a", ":1\r\n");
    h.check(
        "HGET h a",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn sorted_sets() {
    let mut h = harness();
    h.check("ZADD z 1 a 2 b 1.5 c", ":3\r\n");
    h.check("ZADD z 1 a 2", "-ERR syntax error\r\n");
    h.check("ZADD z x a", "-ERR value is not a valid float\r\n");
    h.check("ZADD z nan a", "-ERR value is not a valid float\r\n");
    h.check(
        "ZADD z NX XX 1 a",
        "-ERR XX and NX options at the same time are not compatible\r\n",
    );
    h.check(
        "ZADD z INCR 1 a 2 b",
        "-ERR INCR option supports a single increment-element pair\r\n",
    );
    h.check("ZADD z INCR 2.5 a", "$3\r\n3.5\r\n");
    h.check("ZADD z CH 0 b -inf d", ":2\r\n");
    h.check("ZCARD z", ":4\r\n");
    h.check("ZSCORE z d", "$4\r\n-inf\r\n");
    h.check("ZSCORE z nope", "$-1\r\n");
    h.check(
        "ZRANGE z 0 -1",
        "*4\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n",
    );
    h.check(
        "ZRANGE z 0 1 WITHSCORES",
        "*4\r\n$1\r\nd\r\n$4\r\n-inf\r\n$1\r\nb\r\n$1\r\n0\r\n",
    );
    h.check("ZRANGE z 0 0 REV", "*1\r\n$1\r\na\r\n");
    h.check("ZRANGE z 0 0 BYSCORE", "*1\r\n$1\r\nb\r\n");
    h.check("ZPOPMIN z", "*2\r\n$1\r\nd\r\n$4\r\n-inf\r\n");
    h.check(
        "ZPOPMIN z 10",
        "*6\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\nc\r\n$3\r\n1.5\r\n$1\r\na\r\n$3\r\n3.5\r\n",
    );
    h.check("ZPOPMIN z", "*0\r\n");
    h.check("ZCARD z", ":0\r\n");
    h.check("SET s x", "+OK\r\n");
    h.check(
        "ZADD s 1 a",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn glob() {
    assert!(glob_match(b"*", b"anything"));
    assert!(glob_match(b"max*", b"maxmemory"));
    assert!(glob_match(b"h?llo", b"hello"));
    assert!(glob_match(b"h[ae]llo", b"hallo"));
    assert!(!glob_match(b"h[^ae]llo", b"hallo"));
    assert!(glob_match(b"h[a-c]llo", b"hbllo"));
    assert!(glob_match(b"a*b*c", b"axxbyyc"));
    assert!(!glob_match(b"a*b*c", b"axxbyy"));
    assert!(glob_match(b"a\\*", b"a*"));
    assert!(!glob_match(b"[", b"x"));
}
