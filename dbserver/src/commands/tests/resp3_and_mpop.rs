//! RESP3 replies per command, LMPOP/BLMPOP/ZMPOP/BZMPOP, scores as `%.17g`, FUNCTION and
//! the encoding thresholds of CONFIG.

use super::*;

#[test]
fn hello_selects_the_protocol_per_connection() {
    let mut h = harness();
    let hello3 = h.run("HELLO 3");
    assert!(hello3.starts_with("%7\r\n$6\r\nserver\r\n"), "{hello3}");
    assert!(hello3.contains("$5\r\nproto\r\n:3\r\n"), "{hello3}");
    h.check("GET missing", "_\r\n");
    assert!(h.run("HELLO 2 SETNAME x").starts_with("*14\r\n"));
    h.check("CLIENT GETNAME", "$1\r\nx\r\n");
    h.check("GET missing", "$-1\r\n");
    h.check(
        "HELLO 3 BOGUS",
        "-ERR Syntax error in HELLO option 'BOGUS'\r\n",
    );
    h.check(
        "HELLO x",
        "-ERR Protocol version is not an integer or out of range\r\n",
    );
    // The failed HELLOs kept RESP2.
    h.check("LPOP missing", "$-1\r\n");
}

#[test]
fn resp3_reply_types() {
    let mut h = harness();
    h.run("HELLO 3");
    h.check("HSET h f v", ":1\r\n");
    h.check("HGETALL h", "%1\r\n$1\r\nf\r\n$1\r\nv\r\n");
    h.check("HGETALL missing", "%0\r\n");
    h.check("SADD s a", ":1\r\n");
    h.check("SMEMBERS s", "~1\r\n$1\r\na\r\n");
    h.check("SINTER s missing", "~0\r\n");
    h.check("ZADD z 0.1 m", ":1\r\n");
    h.check("ZSCORE z m", ",0.10000000000000001\r\n");
    h.check("ZSCORE z nope", "_\r\n");
    h.check("ZMSCORE z m nope", "*2\r\n,0.10000000000000001\r\n_\r\n");
    h.check("ZINCRBY z 1 m", ",1.1000000000000001\r\n");
    h.check(
        "ZRANGE z 0 -1 WITHSCORES",
        "*1\r\n*2\r\n$1\r\nm\r\n,1.1000000000000001\r\n",
    );
    h.check("ZRANGE z 0 -1", "*1\r\n$1\r\nm\r\n");
    h.check("ZADD z 2 n", ":1\r\n");
    h.check("ZPOPMIN z", "*2\r\n$1\r\nm\r\n,1.1000000000000001\r\n");
    h.check("ZPOPMAX z 5", "*1\r\n*2\r\n$1\r\nn\r\n,2\r\n");
    h.check("ZPOPMAX z 5", "*0\r\n");
    h.check(
        "CONFIG GET maxmemory",
        "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n",
    );
    h.check("HGET h f", "$1\r\nv\r\n");
    h.check(
        "GET h",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    assert!(h.run("INFO server").starts_with("="));
    // Inside a transaction every queued reply takes its RESP3 form.
    h.check("MULTI", "+OK\r\n");
    h.check("HGETALL h", "+QUEUED\r\n");
    h.check("GET missing", "+QUEUED\r\n");
    h.check("EXEC", "*2\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n_\r\n");
}

#[test]
fn resp3_pubsub_confirmations_are_pushes() {
    let mut h = harness();
    h.run("HELLO 3");
    h.check(
        "SUBSCRIBE a b",
        ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n",
    );
    // In RESP3 a subscribed client's PING answers normally.
    h.check("PING", "+PONG\r\n");
    h.check(
        "UNSUBSCRIBE",
        ">3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:1\r\n>3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n",
    );
}

#[test]
fn scores_are_formatted_as_printf_g17() {
    let mut h = harness();
    h.check("ZADD z 0.1 a 1e17 b -0.00001 c 3 d", ":4\r\n");
    h.check("ZSCORE z a", "$19\r\n0.10000000000000001\r\n");
    h.check("ZSCORE z b", "$5\r\n1e+17\r\n");
    h.check("ZSCORE z c", "$23\r\n-1.0000000000000001e-05\r\n");
    h.check("ZSCORE z d", "$1\r\n3\r\n");
    h.check("ZADD z INCR 0.2 a", "$19\r\n0.30000000000000004\r\n");
    h.check("ZADD z inf e", ":1\r\n");
    h.check("ZSCORE z e", "$3\r\ninf\r\n");
}

#[test]
fn lmpop() {
    let mut h = harness();
    h.check("LMPOP 2 a b LEFT", "*-1\r\n");
    h.check("RPUSH b 1 2 3", ":3\r\n");
    h.check("LMPOP 2 a b LEFT", "*2\r\n$1\r\nb\r\n*1\r\n$1\r\n1\r\n");
    h.check(
        "LMPOP 2 a b RIGHT COUNT 10",
        "*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n",
    );
    h.check("EXISTS b", ":0\r\n");
    h.check(
        "LMPOP 0 a LEFT",
        "-ERR numkeys should be greater than 0\r\n",
    );
    h.check(
        "LMPOP -1 a LEFT",
        "-ERR numkeys should be greater than 0\r\n",
    );
    h.check("LMPOP 3 a b LEFT", "-ERR syntax error\r\n");
    h.check(
        "LMPOP 5 a b LEFT",
        "-ERR Number of keys can't be greater than number of args\r\n",
    );
    h.check("LMPOP 1 a MIDDLE", "-ERR syntax error\r\n");
    h.check(
        "LMPOP 1 a LEFT COUNT 0",
        "-ERR count should be greater than 0\r\n",
    );
    h.check(
        "LMPOP 1 a LEFT COUNT -3",
        "-ERR count should be greater than 0\r\n",
    );
    h.check(
        "LMPOP 1 a LEFT COUNT x",
        "-ERR count should be greater than 0\r\n",
    );
    h.check("LMPOP 1 a LEFT COUNT 1 COUNT 1", "-ERR syntax error\r\n");
    h.check(
        "LMPOP 1",
        "-ERR wrong number of arguments for 'lmpop' command\r\n",
    );
    h.check("SET s x", "+OK\r\n");
    h.check(
        "LMPOP 1 s LEFT",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
}

#[test]
fn zmpop_and_blocking_mpops() {
    let mut h = harness();
    h.check("ZMPOP 1 z MIN", "*-1\r\n");
    h.check("ZADD z 1 a 2 b 3 c", ":3\r\n");
    h.check(
        "ZMPOP 2 none z MAX COUNT 2",
        "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
    );
    h.check(
        "BZMPOP 0 1 z MIN",
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
    );
    h.check("BZMPOP -1 1 z MIN", "-ERR timeout is negative\r\n");
    h.check(
        "BZMPOP x 1 z MIN",
        "-ERR timeout is not a float or out of range\r\n",
    );
    h.check(
        "BLMPOP 0 0 a LEFT",
        "-ERR numkeys should be greater than 0\r\n",
    );
    h.check("RPUSH l x y", ":2\r\n");
    h.check("BLMPOP 0 1 l RIGHT", "*2\r\n$1\r\nl\r\n*1\r\n$1\r\ny\r\n");
    // Inside MULTI a blocking pop of an empty key answers the timeout reply at once.
    h.check("MULTI", "+OK\r\n");
    h.check("BLMPOP 1 1 empty LEFT", "+QUEUED\r\n");
    h.check("BZMPOP 1 1 empty MAX", "+QUEUED\r\n");
    h.check("EXEC", "*2\r\n*-1\r\n*-1\r\n");
    // Outside MULTI it parks (no reply yet).
    h.check("BLMPOP 1 1 empty LEFT", "");
}

#[test]
fn function_flush_and_encoding_thresholds() {
    let mut h = harness();
    h.check("FUNCTION FLUSH", "+OK\r\n");
    h.check("FUNCTION FLUSH ASYNC", "+OK\r\n");
    h.check("FUNCTION FLUSH later", "-ERR syntax error\r\n");
    h.check("FUNCTION LIST", "*0\r\n");
    h.check(
        "FUNCTION LOAD x",
        "-ERR unknown subcommand 'LOAD'. Try FUNCTION HELP.\r\n",
    );
    h.check(
        "CONFIG GET hash-max-listpack-entries",
        "*2\r\n$25\r\nhash-max-listpack-entries\r\n$3\r\n128\r\n",
    );
    h.check("CONFIG SET hash-max-ziplist-entries 5", "+OK\r\n");
    h.check(
        "CONFIG GET hash-max-ziplist-entries",
        "*2\r\n$24\r\nhash-max-ziplist-entries\r\n$1\r\n5\r\n",
    );
    h.check(
        "CONFIG GET hash-max-listpack-entries",
        "*2\r\n$25\r\nhash-max-listpack-entries\r\n$1\r\n5\r\n",
    );
    h.check(
        "CONFIG SET list-max-listpack-size abc",
        "-ERR CONFIG SET failed (possibly related to argument 'list-max-listpack-size') - Invalid argument 'abc'\r\n",
    );
    h.check(
        "CONFIG SET lua-time-limit 5",
        "-ERR Unknown option or number of arguments for CONFIG SET - 'lua-time-limit'\r\n",
    );
    // A failed CONFIG SET changes nothing, not even the settings before the bad one.
    h.check(
        "CONFIG SET zset-max-listpack-entries 1 nosuch 2",
        "-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n",
    );
    h.check(
        "CONFIG GET zset-max-listpack-entries",
        "*2\r\n$25\r\nzset-max-listpack-entries\r\n$3\r\n128\r\n",
    );
}

#[test]
fn parked_pops_wait_through_a_key_of_another_type() {
    let mut h = harness();
    h.check("BLMPOP 5 1 k LEFT", "");
    // The key becomes a string: the parked client keeps waiting (as in Redis).
    h.check("SET k v", "+OK\r\n");
    assert_eq!(h.retry(), "");
    assert!(h.client.blocked.is_some());
    h.check("DEL k", ":1\r\n");
    h.check("RPUSH k a b", ":2\r\n");
    assert_eq!(h.retry(), "*2\r\n$1\r\nk\r\n*1\r\n$1\r\na\r\n");
    // A first attempt against the wrong type still answers WRONGTYPE.
    h.check("SET s v", "+OK\r\n");
    h.check(
        "BLPOP s 1",
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
    );
    // A RESP3 client's timeout is the RESP3 null.
    h.run("HELLO 3");
    h.check("BZMPOP 0.5 1 z MIN", "");
    h.now_ms += 1_000;
    assert_eq!(h.retry(), "_\r\n");
}

#[test]
fn numkeys_and_limit_errors_match_redis() {
    let mut h = harness();
    h.check(
        "SINTERCARD x a",
        "-ERR numkeys should be greater than 0\r\n",
    );
    h.check(
        "LMPOP x a LEFT",
        "-ERR numkeys should be greater than 0\r\n",
    );
    h.check("SINTERCARD 1 a LIMIT x", "-ERR LIMIT can't be negative\r\n");
    h.check(
        "ZINTERCARD 1 a LIMIT -1",
        "-ERR LIMIT can't be negative\r\n",
    );
    h.check("ZINTERCARD 1 a LIMIT", "-ERR syntax error\r\n");
    h.check(
        "ZMPOP 1 z MIN COUNT x",
        "-ERR count should be greater than 0\r\n",
    );
    h.check(
        "BZMPOP 0 1 z MIN COUNT 0",
        "-ERR count should be greater than 0\r\n",
    );
    // NUMPAT counts distinct patterns, not subscriptions.
    h.check("PUBSUB NUMPAT", ":0\r\n");
}

#[test]
fn flushall_touches_only_watched_keys_that_exist() {
    let mut h = harness();
    h.check("WATCH missing", "+OK\r\n");
    h.check("FLUSHALL", "+OK\r\n");
    h.check("MULTI", "+OK\r\n");
    h.check("PING", "+QUEUED\r\n");
    h.check("EXEC", "*1\r\n+PONG\r\n");
    h.check("SET x 1", "+OK\r\n");
    h.check("WATCH x", "+OK\r\n");
    h.check("FLUSHALL", "+OK\r\n");
    h.check("MULTI", "+OK\r\n");
    h.check("PING", "+QUEUED\r\n");
    h.check("EXEC", "*-1\r\n");
}
