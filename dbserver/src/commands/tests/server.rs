//! Replies of the connection and server commands and the dispatcher's checks: PING/ECHO/QUIT,
//! unknown commands, server commands, INFO, requirepass, maxmemory, odd arguments.

use super::*;

#[test]
fn ping_echo_quit() {
    let mut h = harness();
    h.check("PING", "+PONG\r\n");
    h.check("ping hi", "$2\r\nhi\r\n");
    h.check(
        "ping a b",
        "-ERR wrong number of arguments for 'ping' command\r\n",
    );
    h.check("ECHO \"a b\"", "$3\r\na b\r\n");
    h.check(
        "echo",
        "-ERR wrong number of arguments for 'echo' command\r\n",
    );
    h.check("quit", "+OK\r\n");
    assert!(h.client.close_after_reply);
}

#[test]
fn unknown_command_text() {
    let mut h = harness();
    h.check(
        "foo a b",
        "-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n",
    );
    h.check(
        "foo",
        "-ERR unknown command 'foo', with args beginning with: \r\n",
    );
    h.check(
        "averyveryverylongcommandname",
        "-ERR unknown command 'averyveryverylongcommandname', with args beginning with: \r\n",
    );
    let long = "x".repeat(300);
    let reply = h.run(&alloc::format!("foo {long}"));
    assert!(reply.len() < 300, "{reply}");
}

#[test]
fn server_commands() {
    let mut h = harness();
    h.check("SELECT 0", "+OK\r\n");
    h.check("SELECT 1", "-ERR DB index is out of range\r\n");
    h.check(
        "SELECT x",
        "-ERR value is not an integer or out of range\r\n",
    );
    h.check("CONFIG GET save", "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
    h.check(
        "CONFIG GET appendonly",
        "*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n",
    );
    h.check("CONFIG GET nothing", "*0\r\n");
    assert!(h.run("CONFIG GET max*").starts_with("*6\r\n"));
    h.check("CONFIG SET maxmemory 1mb", "+OK\r\n");
    assert_eq!(h.shared.config.maxmemory, 1 << 20);
    h.check(
        "CONFIG SET maxclients 0",
        "-ERR CONFIG SET failed (possibly related to argument 'maxclients') - Invalid argument '0'\r\n",
    );
    h.check(
        "CONFIG SET bogus 1",
        "-ERR Unknown option or number of arguments for CONFIG SET - 'bogus'\r\n",
    );
    h.check(
        "CONFIG FOO",
        "-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n",
    );
    h.check(
        "CONFIG GET",
        "-ERR wrong number of arguments for 'config|get' command\r\n",
    );
    h.check("COMMAND DOCS", "*0\r\n");
    h.check("COMMAND", "*0\r\n");
    assert_eq!(
        h.run("COMMAND COUNT"),
        alloc::format!(":{}\r\n", COMMANDS.len())
    );
    h.check("CLIENT SETNAME app", "+OK\r\n");
    h.check("CLIENT GETNAME", "$3\r\napp\r\n");
    h.check(
        "CLIENT SETNAME \"a b\"",
        "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
    );
    h.check("CLIENT ID", ":7\r\n");
    h.check("HELLO 4", "-NOPROTO unsupported protocol version\r\n");
    h.check("HELLO 1", "-NOPROTO unsupported protocol version\r\n");
    assert!(h.run("HELLO 2").starts_with("*14\r\n$6\r\nserver\r\n"));
    h.check("AUTH x", "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n");
    h.check("SET a 1", "+OK\r\n");
    h.check("DBSIZE", ":1\r\n");
    h.check("FLUSHALL", "+OK\r\n");
    h.check("FLUSHDB ASYNC", "+OK\r\n");
    h.check("FLUSHALL x", "-ERR syntax error\r\n");
    h.check("DBSIZE", ":0\r\n");
}

#[test]
fn info_sections() {
    let mut h = harness();
    h.run("SET a 1");
    let info = h.run("INFO");
    for needle in [
        "# Server\r\n",
        "redis_version:",
        "uptime_in_seconds:",
        "connected_clients:1\r\n",
        "maxclients:10000\r\n",
        "used_memory:",
        "total_commands_processed:1\r\n",
        "rejected_connections:0\r\n",
        "# Platform\r\nfake_cycles:42\r\n",
        "db0:keys=1,expires=0",
    ] {
        assert!(info.contains(needle), "{needle:?} missing in {info}");
    }
    assert!(!info.contains("cmdstat_set"));
    assert!(h
        .run("INFO commandstats")
        .contains("cmdstat_set:calls=1,rejected_calls=0,failed_calls=0\r\n"));
    let only_platform = h.run("info platform");
    assert!(only_platform.contains("fake_cycles") && !only_platform.contains("# Server"));
}

#[test]
fn requirepass() {
    let mut h = Harness::new(Config {
        requirepass: Some("sesame".into()),
        ..Config::default()
    });
    h.check("GET a", "-NOAUTH Authentication required.\r\n");
    h.check(
        "foo",
        "-ERR unknown command 'foo', with args beginning with: \r\n",
    );
    h.check("HELLO 2", "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n");
    h.check(
        "AUTH wrong",
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    h.check(
        "AUTH bob sesame",
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    h.check("AUTH sesame", "+OK\r\n");
    h.check("GET a", "$-1\r\n");
    let mut h2 = Harness::new(Config {
        requirepass: Some("sesame".into()),
        ..Config::default()
    });
    assert!(h2.run("HELLO 2 AUTH default sesame").starts_with("*14\r\n"));
    h2.check("PING", "+PONG\r\n");
}

#[test]
fn maxmemory_refuses_writes_but_serves_reads() {
    let mut h = Harness::new(Config {
        maxmemory: 1000,
        ..Config::default()
    });
    let value = "v".repeat(600);
    h.check(&alloc::format!("SET big {value}"), "+OK\r\n");
    h.check(&alloc::format!("SET big2 {value}"), "+OK\r\n");
    assert!(h.shared.store.used_bytes() > 1000);
    const OOM: &str = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
    h.check("SET x 1", OOM);
    h.check("LPUSH l a", OOM);
    h.check("SADD s a", OOM);
    h.check("HSET h f v", OOM);
    h.check("ZADD z 1 a", OOM);
    h.check("INCR n", OOM);
    h.check("APPEND big x", OOM);
    assert!(h.run("GET big").starts_with("$600\r\n"));
    h.check("EXISTS big", ":1\r\n");
    // Deleting frees memory and writes work again.
    h.check("DEL big2", ":1\r\n");
    h.check("SET x 1", "+OK\r\n");
    let used = h.shared.store.used_bytes();
    assert!(h
        .run("INFO memory")
        .contains(&alloc::format!("used_memory:{used}\r\n")));
}

#[test]
fn every_command_survives_odd_arguments() {
    let mut h = harness();
    let argsets = [
        "",
        "k",
        "k 1",
        "k -1 x",
        "k 1 2 3",
        "k nan inf",
        "k 99999999999999999999 -99999999999999999999",
    ];
    for cmd in COMMANDS.iter().filter(|c| c.name != "quit") {
        for args in argsets {
            for setup in [
                "SET k 5",
                "LPUSH k a",
                "SADD k a",
                "HSET k a b",
                "ZADD k 1 a",
                "DEL k",
            ] {
                h.run(setup);
                let reply = h.run(&alloc::format!("{} {args}", cmd.name));
                if h.client.blocked.take().is_some() {
                    // A blocking command parked the client: no reply yet.
                    assert_eq!(reply, "", "{} {args}", cmd.name);
                    h.shared.store.blocked_clients = 0;
                    continue;
                }
                assert!(
                    matches!(
                        reply.as_bytes().first(),
                        Some(b'+' | b'-' | b':' | b'$' | b'*')
                    ),
                    "{} {args}: {reply:?}",
                    cmd.name
                );
            }
        }
    }
}
