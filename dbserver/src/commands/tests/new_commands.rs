//! Tests of the commands added for issue 12; expected replies are Redis 7.0's (recorded
//! from Debian's redis-server) except where a comment says otherwise.

use super::*;
use alloc::string::ToString;

#[test]
fn strings_ext() {
    let mut h = harness();
    h.check("SET k hello", "+OK\r\n");
    h.check("GETEX k", "$5\r\nhello\r\n");
    h.check("GETEX k EX 100", "$5\r\nhello\r\n");
    h.check("TTL k", ":100\r\n");
    h.check("GETEX k PERSIST", "$5\r\nhello\r\n");
    h.check("TTL k", ":-1\r\n");
    h.check("GETEX k EX 10 PX 10", "-ERR syntax error\r\n");
    h.check("GETEX k KEEPTTL", "-ERR syntax error\r\n");
    h.check("GETEX nope EX 10", "$-1\r\n");
    h.check("GETDEL k", "$5\r\nhello\r\n");
    h.check("GETDEL k", "$-1\r\n");
    h.check("GETSET k v1", "$-1\r\n");
    h.check("GETSET k v2", "$2\r\nv1\r\n");
    h.check("SETNX k x", ":0\r\n");
    h.check("SETNX k2 x", ":1\r\n");
    h.check("SETEX k 10 v", "+OK\r\n");
    h.check("TTL k", ":10\r\n");
    h.check("PSETEX k 1500 v", "+OK\r\n");
    h.check("PTTL k", ":1500\r\n");
    h.check(
        "SETEX k x v",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("MSETNX a 1 b 2", ":1\r\n");
    h.check("MSETNX b 3 c 4", ":0\r\n");
    h.check("MGET a b c", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n");
    h.check(
        "MSETNX a 1 b",
        "-ERR wrong number of arguments for 'msetnx' command\r\n",
    );
    h.check("SET s \"Hello World\"", "+OK\r\n");
    h.check("GETRANGE s 0 4", "$5\r\nHello\r\n");
    h.check("GETRANGE s -5 -1", "$5\r\nWorld\r\n");
    h.check("GETRANGE s -1 -5", "$0\r\n\r\n");
    h.check("GETRANGE s 5 100", "$6\r\n World\r\n");
    h.check("GETRANGE s 100 200", "$0\r\n\r\n");
    h.check("GETRANGE s -100 2", "$3\r\nHel\r\n");
    h.check("GETRANGE nope 0 -1", "$0\r\n\r\n");
    h.check("SUBSTR s 0 0", "$1\r\nH\r\n");
    h.check("SETRANGE s 6 Redis", ":11\r\n");
    h.check("GET s", "$11\r\nHello Redis\r\n");
    h.check("SETRANGE new 3 abc", ":6\r\n");
    h.check("GET new", "$6\r\n\0\0\0abc\r\n");
    h.check("SETRANGE new2 0 \"\"", ":0\r\n");
    h.check("EXISTS new2", ":0\r\n");
    h.check("SETRANGE s -1 x", "-ERR offset is out of range\r\n");
    h.check(
        "SETRANGE s 536870912 x",
        "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
    );
    h.check("INCRBYFLOAT f 10.5", "$4\r\n10.5\r\n");
    h.check("INCRBYFLOAT f 0.1", "$4\r\n10.6\r\n");
    h.check("INCRBYFLOAT f -5", "$3\r\n5.6\r\n");
    // Redis computes in long double; f64 gives the shortest exact decimal.
    h.check("INCRBYFLOAT f 1e3", "$6\r\n1005.6\r\n");
    h.check("INCRBYFLOAT f abc", "-ERR value is not a valid float\r\n");
    h.check("INCRBYFLOAT s 1", "-ERR value is not a valid float\r\n");
    h.check(
        "INCRBYFLOAT f inf",
        "-ERR increment would produce NaN or Infinity\r\n",
    );
    h.check("SET f 1.5e2", "+OK\r\n");
    h.check("INCRBYFLOAT f 0", "$3\r\n150\r\n");
    h.check("SETBIT b 7 1", ":0\r\n");
    h.check("GET b", "$1\r\n3\r\n");
    h.check("SETBIT b 7 0", ":1\r\n");
    h.check("SETBIT b 100 1", ":0\r\n");
    h.check("GETBIT b 100", ":1\r\n");
    h.check("GETBIT b 99", ":0\r\n");
    h.check("GETBIT b 100000", ":0\r\n");
    h.check("STRLEN b", ":13\r\n");
    h.check(
        "SETBIT b -1 1",
        "-ERR bit offset is not an integer or out of range\r\n",
    );
    h.check(
        "SETBIT b 1 2",
        "-ERR bit is not an integer or out of range\r\n",
    );
    h.check("GETBIT nope 5", ":0\r\n");
    h.check("SET bc foobar", "+OK\r\n");
    h.check("BITCOUNT bc", ":26\r\n");
    h.check("BITCOUNT bc 0 0", ":4\r\n");
    h.check("BITCOUNT bc 1 1", ":6\r\n");
    h.check("BITCOUNT bc 1 1 BYTE", ":6\r\n");
    h.check("BITCOUNT bc 5 30 BIT", ":17\r\n");
    h.check("BITCOUNT bc -2 -1", ":7\r\n");
    h.check("BITCOUNT bc 0", "-ERR syntax error\r\n");
    h.check("BITCOUNT bc 0 1 FOO", "-ERR syntax error\r\n");
    h.check("BITCOUNT nope", ":0\r\n");
    h.check("SET l1 ohmytext", "+OK\r\n");
    h.check("SET l2 mynewtext", "+OK\r\n");
    h.check("LCS l1 l2", "$6\r\nmytext\r\n");
    h.check("LCS l1 l2 LEN", ":6\r\n");
    h.check("LCS l1 l2 IDX", "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
    h.check("LCS l1 l2 IDX MINMATCHLEN 4 WITHMATCHLEN", "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n");
    h.check(
        "LCS l1 l2 LEN IDX",
        "-ERR If you want both the length and indexes, please just use IDX.\r\n",
    );
    h.check("LCS l1 nope", "$0\r\n\r\n");
    h.check("LPUSH lst a", ":1\r\n");
    h.check(
        "LCS l1 lst",
        "-ERR The specified keys must contain string values\r\n",
    );
    h.check(
        "APPEND lst x",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn lists_ext() {
    let mut h = harness();
    h.check("RPUSH l a b c b a", ":5\r\n");
    h.check("LINDEX l 0", "$1\r\na\r\n");
    h.check("LINDEX l -1", "$1\r\na\r\n");
    h.check("LINDEX l 5", "$-1\r\n");
    h.check(
        "LINDEX l x",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("LINDEX nope 0", "$-1\r\n");
    h.check("LSET l 1 B", "+OK\r\n");
    h.check("LSET l 10 x", "-ERR index out of range\r\n");
    h.check("LSET nope 0 x", "-ERR no such key\r\n");
    h.check("LINSERT l BEFORE c X", ":6\r\n");
    h.check("LINSERT l AFTER c Y", ":7\r\n");
    h.check("LINSERT l AFTER zz Y", ":-1\r\n");
    h.check("LINSERT l MIDDLE c Y", "-ERR syntax error\r\n");
    h.check("LINSERT nope BEFORE a b", ":0\r\n");
    h.check(
        "LRANGE l 0 -1",
        "*7\r\n$1\r\na\r\n$1\r\nB\r\n$1\r\nX\r\n$1\r\nc\r\n$1\r\nY\r\n$1\r\nb\r\n$1\r\na\r\n",
    );
    h.check("LPOS l a", ":0\r\n");
    h.check("LPOS l a RANK 2", ":6\r\n");
    h.check("LPOS l a RANK -1", ":6\r\n");
    h.check("LPOS l a COUNT 0", "*2\r\n:0\r\n:6\r\n");
    h.check("LPOS l a COUNT 1 RANK -1", "*1\r\n:6\r\n");
    h.check("LPOS l a MAXLEN 1 COUNT 0", "*1\r\n:0\r\n");
    h.check("LPOS l zz", "$-1\r\n");
    h.check("LPOS l zz COUNT 2", "*0\r\n");
    h.check("LPOS l a RANK 0", "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n");
    h.check("LPOS l a COUNT -1", "-ERR COUNT can't be negative\r\n");
    h.check("LPOS l a FOO 1", "-ERR syntax error\r\n");
    h.check("LPOS l a RANK", "-ERR syntax error\r\n");
    h.check("LREM l 1 a", ":1\r\n");
    h.check(
        "LRANGE l 0 -1",
        "*6\r\n$1\r\nB\r\n$1\r\nX\r\n$1\r\nc\r\n$1\r\nY\r\n$1\r\nb\r\n$1\r\na\r\n",
    );
    h.check("LREM l -1 b", ":1\r\n");
    h.check("LREM l 0 zz", ":0\r\n");
    h.check("LREM l 0 c", ":1\r\n");
    h.check(
        "LRANGE l 0 -1",
        "*4\r\n$1\r\nB\r\n$1\r\nX\r\n$1\r\nY\r\n$1\r\na\r\n",
    );
    h.check("LTRIM l 1 -1", "+OK\r\n");
    h.check("LRANGE l 0 -1", "*3\r\n$1\r\nX\r\n$1\r\nY\r\n$1\r\na\r\n");
    h.check("LTRIM l 5 10", "+OK\r\n");
    h.check("EXISTS l", ":0\r\n");
    h.check("RPUSH src 1 2 3", ":3\r\n");
    h.check("LMOVE src dst RIGHT LEFT", "$1\r\n3\r\n");
    h.check("LMOVE src dst LEFT RIGHT", "$1\r\n1\r\n");
    h.check("LRANGE dst 0 -1", "*2\r\n$1\r\n3\r\n$1\r\n1\r\n");
    h.check("LMOVE src src LEFT RIGHT", "$1\r\n2\r\n");
    h.check("LRANGE src 0 -1", "*1\r\n$1\r\n2\r\n");
    h.check("LMOVE src dst UP LEFT", "-ERR syntax error\r\n");
    h.check("RPOPLPUSH src dst", "$1\r\n2\r\n");
    h.check("RPOPLPUSH src dst", "$-1\r\n");
    h.check("EXISTS src", ":0\r\n");
    h.check("RPOPLPUSH src dst", "$-1\r\n");
    h.check("SET str x", "+OK\r\n");
    h.check(
        "RPOPLPUSH dst str",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check("LRANGE dst 0 -1", "*3\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n1\r\n");
    h.check("LPUSHX nope a", ":0\r\n");
    h.check("RPUSHX dst z", ":4\r\n");
    h.check("LPUSHX dst y w", ":6\r\n");
    h.check(
        "LRANGE dst 0 -1",
        "*6\r\n$1\r\nw\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\nz\r\n",
    );
    h.check("LPOP dst 0", "*0\r\n");
    h.check("LPOP nope 0", "*-1\r\n");
}

#[test]
fn hashes_ext() {
    let mut h = harness();
    h.check("HSETNX h f v", ":1\r\n");
    h.check("HSETNX h f w", ":0\r\n");
    h.check("HMGET h f nope", "*2\r\n$1\r\nv\r\n$-1\r\n");
    h.check("HMGET nope a b", "*2\r\n$-1\r\n$-1\r\n");
    h.check("HSET h n 10 x 1.5", ":2\r\n");
    h.check("HINCRBY h n 5", ":15\r\n");
    h.check("HINCRBY h new -3", ":-3\r\n");
    h.check("HINCRBY h f 1", "-ERR hash value is not an integer\r\n");
    h.check(
        "HINCRBY h n x",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("HSET h big 9223372036854775807", ":1\r\n");
    h.check(
        "HINCRBY h big 1",
        "-ERR increment or decrement would overflow\r\n",
    );
    h.check("HINCRBYFLOAT h x 2.25", "$4\r\n3.75\r\n");
    h.check("HINCRBYFLOAT h nf 1", "$1\r\n1\r\n");
    h.check("HINCRBYFLOAT h f 1", "-ERR hash value is not a float\r\n");
    h.check(
        "HINCRBYFLOAT h x abc",
        "-ERR value is not a valid float\r\n",
    );
    h.check("HSTRLEN h f", ":1\r\n");
    h.check("HSTRLEN h nope", ":0\r\n");
    h.check("HSTRLEN nope f", ":0\r\n");
    h.check("HEXISTS h f", ":1\r\n");
    h.check("HEXISTS h zz", ":0\r\n");
    h.check("HKEYS nope", "*0\r\n");
    h.check("HVALS nope", "*0\r\n");
    h.check("HDEL h n new big nf", ":4\r\n");
    assert_eq!(sorted(h.run("HKEYS h")), ["$1", "$1", "*2", "f", "x"]);
    assert_eq!(sorted(h.run("HVALS h")), ["$1", "$4", "*2", "3.75", "v"]);
    h.check("HRANDFIELD nope", "$-1\r\n");
    h.check("HRANDFIELD nope 5", "*0\r\n");
    h.check("HRANDFIELD h 1 WITHVALUES foo", "-ERR syntax error\r\n");
    h.check(
        "HRANDFIELD h x",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("HRANDFIELD h 1 FOO", "-ERR syntax error\r\n");
    h.check("HRANDFIELD h -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
    h.check("SET s x", "+OK\r\n");
    h.check(
        "HSETNX s f v",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check(
        "HKEYS s",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check(
        "HINCRBY s f 1",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn sets_ext() {
    let mut h = harness();
    h.check("SADD s1 a b c d", ":4\r\n");
    h.check("SADD s2 c d e", ":3\r\n");
    h.check("SADD s3 d x", ":2\r\n");
    h.check("SREM s1 a zz", ":1\r\n");
    h.check("SREM nope a", ":0\r\n");
    h.check("SMISMEMBER s1 b zz c", "*3\r\n:1\r\n:0\r\n:1\r\n");
    h.check("SMISMEMBER nope a", "*1\r\n:0\r\n");
    h.check("SMOVE s1 s2 b", ":1\r\n");
    h.check("SMOVE s1 s2 zz", ":0\r\n");
    h.check("SMOVE nope s2 a", ":0\r\n");
    h.check("SISMEMBER s2 b", ":1\r\n");
    h.check("SINTER s1 s2 s3", "*1\r\n$1\r\nd\r\n");
    h.check("SINTER s1 nope", "*0\r\n");
    assert_eq!(sorted(h.run("SDIFF s2 s1")), ["$1", "$1", "*2", "b", "e"]);
    h.check("SDIFF nope s1", "*0\r\n");
    h.check("SINTERSTORE dst s1 s2", ":2\r\n");
    assert_eq!(sorted(h.run("SMEMBERS dst")), ["$1", "$1", "*2", "c", "d"]);
    h.check("SINTERSTORE dst s1 nope", ":0\r\n");
    h.check("EXISTS dst", ":0\r\n");
    h.check("SUNIONSTORE dst s1 s3", ":3\r\n");
    h.check("SCARD dst", ":3\r\n");
    h.check("SDIFFSTORE dst s1 s1", ":0\r\n");
    h.check("EXISTS dst", ":0\r\n");
    h.check("SINTERCARD 2 s1 s2", ":2\r\n");
    h.check("SINTERCARD 2 s1 s2 LIMIT 1", ":1\r\n");
    h.check(
        "SINTERCARD 0 s1",
        "-ERR numkeys should be greater than 0\r\n",
    );
    h.check(
        "SINTERCARD 3 s1 s2",
        "-ERR Number of keys can't be greater than number of args\r\n",
    );
    h.check(
        "SINTERCARD 1 s1 LIMIT -1",
        "-ERR LIMIT can't be negative\r\n",
    );
    h.check("SINTERCARD 1 s1 FOO", "-ERR syntax error\r\n");
    h.check("SRANDMEMBER nope", "$-1\r\n");
    h.check("SRANDMEMBER nope 3", "*0\r\n");
    h.check("SRANDMEMBER s3 0", "*0\r\n");
    assert_eq!(
        sorted(h.run("SRANDMEMBER s3 5")),
        ["$1", "$1", "*2", "d", "x"]
    );
    h.check("SRANDMEMBER s3 -9223372036854775808", "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
    h.check("SPOP nope 0", "*0\r\n");
    h.check(
        "SPOP s3 -1",
        "-ERR value is out of range, must be positive\r\n",
    );
    h.check("SET str x", "+OK\r\n");
    h.check(
        "SINTER s1 str",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check(
        "SUNION s1 str",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check(
        "SMOVE s1 str c",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check(
        "SRANDMEMBER str",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn keys_ext() {
    let mut h = harness();
    h.check("SET a 1", "+OK\r\n");
    h.check("EXPIRE a 100", ":1\r\n");
    h.check("RENAME a b", "+OK\r\n");
    h.check("TTL b", ":100\r\n");
    h.check("EXISTS a", ":0\r\n");
    h.check("RENAME nope x", "-ERR no such key\r\n");
    h.check("RENAME b b", "+OK\r\n");
    h.check("RENAMENX b b", ":0\r\n");
    h.check("SET c 2", "+OK\r\n");
    h.check("RENAMENX b c", ":0\r\n");
    h.check("RENAMENX b d", ":1\r\n");
    h.check("GET d", "$1\r\n1\r\n");
    h.check("COPY d e", ":1\r\n");
    h.check("GET e", "$1\r\n1\r\n");
    h.check("TTL e", ":100\r\n");
    h.check("COPY d e", ":0\r\n");
    h.check("COPY d e REPLACE", ":1\r\n");
    h.check(
        "COPY d d",
        "-ERR source and destination objects are the same\r\n",
    );
    // One database: other indexes are out of range.
    h.check("COPY d f DB 1", "-ERR DB index is out of range\r\n");
    h.check("COPY d f DB 0", ":1\r\n");
    h.check("COPY d f FOO", "-ERR syntax error\r\n");
    h.check("COPY nope f", ":0\r\n");
    h.check("RPUSH l a b", ":2\r\n");
    h.check("COPY l l2", ":1\r\n");
    h.check("LRANGE l2 0 -1", "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    h.check("OBJECT ENCODING nope", "$-1\r\n");
    h.check("OBJECT ENCODING c", "$3\r\nint\r\n");
    h.check("OBJECT ENCODING l", "$9\r\nquicklist\r\n");
    h.check(
        "SET long aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "+OK\r\n",
    );
    h.check("OBJECT ENCODING long", "$3\r\nraw\r\n");
    h.check("SET mid hello", "+OK\r\n");
    h.check("OBJECT ENCODING mid", "$6\r\nembstr\r\n");
    h.check("SADD si 1 2 3", ":3\r\n");
    h.check("OBJECT ENCODING si", "$6\r\nintset\r\n");
    h.check("SADD ss a", ":1\r\n");
    h.check("OBJECT ENCODING ss", "$9\r\nhashtable\r\n");
    h.check("HSET h f v", ":1\r\n");
    h.check("OBJECT ENCODING h", "$8\r\nlistpack\r\n");
    h.check("ZADD z 1 a", ":1\r\n");
    h.check("OBJECT ENCODING z", "$8\r\nlistpack\r\n");
    h.check(
        "OBJECT FOO c",
        "-ERR unknown subcommand 'FOO'. Try OBJECT HELP.\r\n",
    );
    h.check(
        "OBJECT ENCODING",
        "-ERR wrong number of arguments for 'object|encoding' command\r\n",
    );
    h.check(
        "OBJECT ENCODING a b",
        "-ERR wrong number of arguments for 'object|encoding' command\r\n",
    );
    h.check("MEMORY USAGE nope", "$-1\r\n");
    h.check(
        "MEMORY FOO",
        "-ERR unknown subcommand 'FOO'. Try MEMORY HELP.\r\n",
    );
    h.check("FLUSHALL", "+OK\r\n");
    h.check("RANDOMKEY", "$-1\r\n");
    h.check("SET only 1", "+OK\r\n");
    h.check("RANDOMKEY", "$4\r\nonly\r\n");
}

/// The lines of a reply, sorted (for replies in hash order).
fn sorted(reply: String) -> Vec<String> {
    let mut lines: Vec<String> = reply
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    lines.sort();
    lines
}
#[test]
fn zsets_ext() {
    let mut h = harness();
    h.check("ZADD z 1 a 2 b 3 c 4 d 5 e", ":5\r\n");
    h.check("ZINCRBY z 2.5 a", "$3\r\n3.5\r\n");
    h.check("ZINCRBY z x a", "-ERR value is not a valid float\r\n");
    h.check("ZINCRBY z 1 new", "$1\r\n1\r\n");
    h.check("ZREM z new nope", ":1\r\n");
    h.check("ZREM nope a", ":0\r\n");
    h.check("ZRANK z c", ":1\r\n");
    h.check("ZREVRANK z c", ":3\r\n");
    h.check("ZRANK z nope", "$-1\r\n");
    h.check("ZMSCORE z a nope", "*2\r\n$3\r\n3.5\r\n$-1\r\n");
    h.check("ZCOUNT z 2 3.5", ":3\r\n");
    h.check("ZCOUNT z (2 +inf", ":4\r\n");
    h.check("ZCOUNT z -inf (3", ":1\r\n");
    h.check("ZCOUNT z a 1", "-ERR min or max is not a float\r\n");
    h.check(
        "ZRANGEBYSCORE z 2 4",
        "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n",
    );
    h.check(
        "ZRANGEBYSCORE z (2 4 WITHSCORES",
        "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\na\r\n$3\r\n3.5\r\n$1\r\nd\r\n$1\r\n4\r\n",
    );
    h.check(
        "ZRANGEBYSCORE z -inf +inf LIMIT 1 2",
        "*2\r\n$1\r\nc\r\n$1\r\na\r\n",
    );
    h.check("ZRANGEBYSCORE z -inf +inf LIMIT -1 2", "*0\r\n");
    h.check("ZRANGEBYSCORE z 1 2 LIMIT 0", "-ERR syntax error\r\n");
    h.check(
        "ZREVRANGEBYSCORE z 4 2",
        "*4\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n",
    );
    h.check(
        "ZREVRANGEBYSCORE z +inf -inf WITHSCORES LIMIT 0 2",
        "*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n",
    );
    h.check(
        "ZREVRANGE z 0 1 WITHSCORES",
        "*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n",
    );
    h.check(
        "ZRANGE z 2 4 BYSCORE",
        "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nd\r\n",
    );
    h.check(
        "ZRANGE z 4 2 BYSCORE REV",
        "*4\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n",
    );
    h.check(
        "ZRANGE z (1 +inf BYSCORE LIMIT 1 1 WITHSCORES",
        "*2\r\n$1\r\nc\r\n$1\r\n3\r\n",
    );
    h.check("ZRANGE z 0 -1 LIMIT 0 1", "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    h.check(
        "ZRANGE z 0 -1 REV",
        "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n",
    );
    h.check(
        "ZRANGE z - + BYLEX WITHSCORES",
        "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
    );
    h.check("ZRANGE z a b FOO", "-ERR syntax error\r\n");
    h.check("ZADD lex 0 a 0 b 0 c 0 d", ":4\r\n");
    h.check(
        "ZRANGEBYLEX lex - +",
        "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n",
    );
    h.check("ZRANGEBYLEX lex [b (d", "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    h.check("ZRANGEBYLEX lex (a + LIMIT 1 1", "*1\r\n$1\r\nc\r\n");
    h.check(
        "ZREVRANGEBYLEX lex + [b",
        "*3\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n",
    );
    h.check(
        "ZRANGE lex [c - BYLEX REV",
        "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n",
    );
    h.check(
        "ZRANGEBYLEX lex a b",
        "-ERR min or max not valid string range item\r\n",
    );
    h.check("ZLEXCOUNT lex [b +", ":3\r\n");
    h.check("ZRANGESTORE dst z 0 1", ":2\r\n");
    h.check(
        "ZRANGE dst 0 -1 WITHSCORES",
        "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n",
    );
    h.check("ZRANGESTORE dst z 10 20", ":0\r\n");
    h.check("EXISTS dst", ":0\r\n");
    h.check("ZRANGESTORE dst z 0 -1 WITHSCORES", "-ERR syntax error\r\n");
    h.check("ZPOPMAX z", "*2\r\n$1\r\ne\r\n$1\r\n5\r\n");
    h.check(
        "ZPOPMAX z 2",
        "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\na\r\n$3\r\n3.5\r\n",
    );
    h.check("ZPOPMIN z 0", "*0\r\n");
    h.check("ZPOPMIN nope", "*0\r\n");
    h.check(
        "ZPOPMAX z -1",
        "-ERR value is out of range, must be positive\r\n",
    );
    h.check("ZADD m 1 x 2 y", ":2\r\n");
    h.check(
        "ZMPOP 2 nope m MIN",
        "*2\r\n$1\r\nm\r\n*1\r\n*2\r\n$1\r\nx\r\n$1\r\n1\r\n",
    );
    h.check(
        "ZMPOP 1 m MAX COUNT 5",
        "*2\r\n$1\r\nm\r\n*1\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n",
    );
    h.check("ZMPOP 1 m MAX", "*-1\r\n");
    h.check("ZMPOP 0 m MIN", "-ERR numkeys should be greater than 0\r\n");
    h.check("ZMPOP 1 m FOO", "-ERR syntax error\r\n");
    h.check(
        "ZMPOP 1 m MIN COUNT 0",
        "-ERR count should be greater than 0\r\n",
    );
    h.check("ZADD u1 1 a 2 b", ":2\r\n");
    h.check("ZADD u2 3 b 4 c", ":2\r\n");
    h.check("SADD us a c", ":2\r\n");
    h.check(
        "ZUNION 2 u1 u2 WITHSCORES",
        "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n5\r\n",
    );
    h.check(
        "ZUNION 2 u1 u2 WEIGHTS 2 1 AGGREGATE MAX WITHSCORES",
        "*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n4\r\n",
    );
    h.check("ZINTER 2 u1 u2 WITHSCORES", "*2\r\n$1\r\nb\r\n$1\r\n5\r\n");
    h.check(
        "ZINTER 2 u1 us AGGREGATE MIN WITHSCORES",
        "*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    h.check("ZDIFF 2 u1 u2 WITHSCORES", "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    h.check("ZUNIONSTORE out 3 u1 u2 us", ":3\r\n");
    h.check(
        "ZRANGE out 0 -1 WITHSCORES",
        "*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n5\r\n$1\r\nc\r\n$1\r\n5\r\n",
    );
    h.check("ZINTERSTORE out 2 u1 nope", ":0\r\n");
    h.check("EXISTS out", ":0\r\n");
    h.check("ZDIFFSTORE out 1 u2", ":2\r\n");
    h.check("ZINTERCARD 2 u1 u2", ":1\r\n");
    h.check(
        "ZINTERCARD 2 u1 u2 LIMIT -1",
        "-ERR LIMIT can't be negative\r\n",
    );
    h.check(
        "ZUNION 0 u1",
        "-ERR at least 1 input key is needed for 'zunion' command\r\n",
    );
    h.check("ZUNION 2 u1", "-ERR syntax error\r\n");
    h.check(
        "ZUNION 1 u1 WEIGHTS x",
        "-ERR weight value is not a float\r\n",
    );
    h.check("ZUNION 1 u1 AGGREGATE foo", "-ERR syntax error\r\n");
    h.check("ZDIFF 1 u1 WEIGHTS 1", "-ERR syntax error\r\n");
    h.check("ZUNIONSTORE out 1 u1 WITHSCORES", "-ERR syntax error\r\n");
    h.check("SET str x", "+OK\r\n");
    h.check(
        "ZUNION 2 u1 str",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check(
        "ZRANGE str 0 1",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    h.check("ZRANDMEMBER nope", "$-1\r\n");
    h.check("ZRANDMEMBER nope 2", "*0\r\n");
    h.check("ZRANDMEMBER u1 5 WITHSCORES FOO", "-ERR syntax error\r\n");
}

#[test]
fn transactions() {
    let mut h = harness();
    h.check("EXEC", "-ERR EXEC without MULTI\r\n");
    h.check("DISCARD", "-ERR DISCARD without MULTI\r\n");
    h.check("MULTI", "+OK\r\n");
    h.check("MULTI", "-ERR MULTI calls can not be nested\r\n");
    h.check("SET a 1", "+QUEUED\r\n");
    h.check("INCR a", "+QUEUED\r\n");
    h.check("LPUSH a x", "+QUEUED\r\n");
    h.check("GET a", "+QUEUED\r\n");
    h.check("EXEC", "*4\r\n+OK\r\n:2\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n$1\r\n2\r\n");
    h.check("MULTI", "+OK\r\n");
    h.check("SET b 1", "+QUEUED\r\n");
    h.check(
        "NOSUCHCOMMAND",
        "-ERR unknown command 'NOSUCHCOMMAND', with args beginning with: \r\n",
    );
    h.check("GET b", "+QUEUED\r\n");
    h.check(
        "EXEC",
        "-EXECABORT Transaction discarded because of previous errors.\r\n",
    );
    h.check("EXISTS b", ":0\r\n");
    h.check("MULTI", "+OK\r\n");
    h.check("SET c 1", "+QUEUED\r\n");
    h.check(
        "GET",
        "-ERR wrong number of arguments for 'get' command\r\n",
    );
    h.check(
        "EXEC",
        "-EXECABORT Transaction discarded because of previous errors.\r\n",
    );
    h.check("MULTI", "+OK\r\n");
    h.check("WATCH a", "-ERR WATCH inside MULTI is not allowed\r\n");
    h.check("DISCARD", "+OK\r\n");
    h.check("WATCH a", "+OK\r\n");
    h.check("SET a 5", "+OK\r\n");
    h.check("MULTI", "+OK\r\n");
    h.check("GET a", "+QUEUED\r\n");
    h.check("EXEC", "*-1\r\n");
    h.check("WATCH a", "+OK\r\n");
    h.check("MULTI", "+OK\r\n");
    h.check("GET a", "+QUEUED\r\n");
    h.check("EXEC", "*1\r\n$1\r\n5\r\n");
    h.check("WATCH a", "+OK\r\n");
    h.check("UNWATCH", "+OK\r\n");
    h.check("SET a 6", "+OK\r\n");
    h.check("MULTI", "+OK\r\n");
    h.check("GET a", "+QUEUED\r\n");
    h.check("EXEC", "*1\r\n$1\r\n6\r\n");
    h.check("WATCH nokey", "+OK\r\n");
    h.check("MULTI", "+OK\r\n");
    h.check("PING", "+QUEUED\r\n");
    h.check("EXEC", "*1\r\n+PONG\r\n");
}

/// Parse a SCAN-like reply: the next cursor and the elements.
fn scan_reply(reply: &str) -> (String, Vec<String>) {
    let lines: Vec<&str> = reply.split("\r\n").collect();
    assert_eq!(lines[0], "*2", "{reply}");
    let cursor = lines[2].to_string();
    let items = lines[4..]
        .iter()
        .skip(1)
        .step_by(2)
        .map(|s| s.to_string())
        .collect();
    (cursor, items)
}

#[test]
fn scan_returns_every_key_present_throughout() {
    let mut h = harness();
    for i in 0..200 {
        h.check(&alloc::format!("SET key:{i} v"), "+OK\r\n");
    }
    let mut seen = Vec::new();
    let mut cursor = String::from("0");
    let mut rounds = 0;
    loop {
        let (next, items) = scan_reply(&h.run(&alloc::format!("SCAN {cursor} COUNT 7")));
        seen.extend(items);
        // Churn while iterating: new keys come and go.
        h.run(&alloc::format!("SET churn:{rounds} v"));
        h.run(&alloc::format!("DEL churn:{}", rounds / 2));
        rounds += 1;
        cursor = next;
        if cursor == "0" {
            break;
        }
        assert!(rounds < 1000);
    }
    for i in 0..200 {
        let key = alloc::format!("key:{i}");
        assert_eq!(seen.iter().filter(|k| **k == key).count(), 1, "{key}");
    }
    let (_, items) = scan_reply(&h.run("SCAN 0 COUNT 1000 MATCH key:1?"));
    assert_eq!(items.len(), 10);
    h.check("LPUSH list a", ":1\r\n");
    let (_, items) = scan_reply(&h.run("SCAN 0 COUNT 1000 TYPE list"));
    assert_eq!(items, ["list"]);
    h.check("SCAN x", "-ERR invalid cursor\r\n");
    h.check("SCAN 0 COUNT 0", "-ERR syntax error\r\n");
    h.check("SCAN 0 FOO 1", "-ERR syntax error\r\n");
}

#[test]
fn element_scans() {
    let mut h = harness();
    h.check("SADD s a b c", ":3\r\n");
    let (cursor, mut items) = scan_reply(&h.run("SSCAN s 0 COUNT 100"));
    items.sort();
    assert_eq!(
        (cursor.as_str(), items),
        ("0", alloc::vec!["a".to_string(), "b".into(), "c".into()])
    );
    h.check("HSET h f v", ":1\r\n");
    h.check("HSCAN h 0", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n");
    h.check("ZADD z 1.5 m", ":1\r\n");
    h.check(
        "ZSCAN z 0 MATCH m*",
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nm\r\n$3\r\n1.5\r\n",
    );
    h.check("SSCAN nope 0", "*2\r\n$1\r\n0\r\n*0\r\n");
    h.check(
        "SSCAN h 0",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

impl Harness {
    /// Retry the parked request (as the event loop does) and return what it wrote.
    pub(super) fn retry(&mut self) -> String {
        let mut out = Vec::new();
        let sys = NullSys {
            wall_ms: self.wall_offset_ms.map(|w| w + self.now_ms),
        };
        let mut ctx = Ctx {
            shared: &mut self.shared,
            client: &mut self.client,
            sys: &sys,
            now_ms: self.now_ms,
            connected_clients: 1,
            out: &mut out,
        };
        retry_blocked(&self.dispatcher, &mut ctx);
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[test]
fn blocking_pops() {
    let mut h = harness();
    h.check("RPUSH l a b", ":2\r\n");
    h.check("BLPOP nope l 0", "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
    h.check("BRPOP l 1", "*2\r\n$1\r\nl\r\n$1\r\nb\r\n");
    // Nothing to pop: the client parks, without a reply.
    h.check("BLPOP l 1.5", "");
    assert!(h.client.blocked.is_some());
    assert_eq!(h.shared.store.blocked_clients, 1);
    h.now_ms += 1_000;
    assert_eq!(h.retry(), "");
    h.check("RPUSH l x", ":1\r\n");
    assert_eq!(h.retry(), "*2\r\n$1\r\nl\r\n$1\r\nx\r\n");
    assert!(h.client.blocked.is_none());
    assert_eq!(h.shared.store.blocked_clients, 0);
    // The deadline passes.
    h.check("BZPOPMIN z 0.5", "");
    h.now_ms += 499;
    assert_eq!(h.retry(), "");
    h.now_ms += 1;
    assert_eq!(h.retry(), "*-1\r\n");
    h.check("BLMOVE src dst LEFT RIGHT 0.01", "");
    h.now_ms += 10;
    assert_eq!(h.retry(), "$-1\r\n");
    h.check("ZADD z 1 a 2 b", ":2\r\n");
    h.check("BZPOPMAX z 0", "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n");
    h.check("RPUSH src 1", ":1\r\n");
    h.check("BRPOPLPUSH src dst 0", "$1\r\n1\r\n");
    h.check(
        "BLPOP l x",
        "-ERR timeout is not a float or out of range\r\n",
    );
    h.check("BLPOP l -1", "-ERR timeout is negative\r\n");
    h.check("SET s v", "+OK\r\n");
    h.check(
        "BLPOP s 0",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    // Inside a transaction a blocking command does not wait.
    h.check("MULTI", "+OK\r\n");
    h.check("BLPOP nope 0", "+QUEUED\r\n");
    h.check("EXEC", "*1\r\n*-1\r\n");
    assert!(h.client.blocked.is_none());
}

#[test]
fn pubsub_commands() {
    let mut h = harness();
    h.check("PUBLISH chan hello", ":0\r\n");
    h.check("PUBSUB NUMPAT", ":0\r\n");
    h.check(
        "PUBSUB NUMSUB a b",
        "*4\r\n$1\r\na\r\n:0\r\n$1\r\nb\r\n:0\r\n",
    );
    h.check("PUBSUB CHANNELS", "*0\r\n");
    h.check(
        "PUBSUB FOO",
        "-ERR unknown subcommand 'FOO'. Try PUBSUB HELP.\r\n",
    );
    h.check("UNSUBSCRIBE", "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
    h.check("PUNSUBSCRIBE", "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
    h.check(
        "SUBSCRIBE a b",
        "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n",
    );
    h.check("SUBSCRIBE a", "*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:2\r\n");
    h.check("PING", "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    h.check("PING x", "*2\r\n$4\r\npong\r\n$1\r\nx\r\n");
    h.check("GET k", "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
    h.check(
        "PSUBSCRIBE n*",
        "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n",
    );
    // Another client publishes: the messages wait in the outbox for the event loop.
    h.client.id += 1;
    h.client.subscriptions = None;
    h.check("PUBLISH a hi", ":1\r\n");
    h.check("PUBLISH news x", ":1\r\n");
    h.check("PUBSUB NUMSUB a", "*2\r\n$1\r\na\r\n:1\r\n");
    h.check("PUBSUB NUMPAT", ":1\r\n");
    let outbox = core::mem::take(&mut h.shared.store.pubsub.outbox);
    let pushes: Vec<(u64, String)> = outbox
        .into_iter()
        .map(|(id, m)| (id, String::from_utf8_lossy(&m).into_owned()))
        .collect();
    assert_eq!(
        pushes,
        [
            (
                7,
                "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n".to_string()
            ),
            (
                7,
                "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$1\r\nx\r\n".to_string()
            ),
        ]
    );
}

#[test]
fn info_cpu_section() {
    let mut h = harness();
    let cpu = h.run("INFO cpu");
    assert!(
        cpu.contains("# CPU\r\nused_cpu_sys:0.000000\r\nused_cpu_user:0.000000\r\n"),
        "{cpu}"
    );
    assert!(!cpu.contains("# Server"));
    assert!(h.run("INFO").contains("used_cpu_user_main_thread:"));
    assert!(h.run("INFO clients").contains("blocked_clients:0\r\n"));
}
