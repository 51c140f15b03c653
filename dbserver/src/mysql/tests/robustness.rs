//! Random and mutated input never panics: random bytes in random pieces and mutated
//! statement executions.

use super::*;

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..3000 {
        let password = (i % 3 == 0).then_some("pw");
        // Before the handshake response: raw garbage, framed garbage, truncated responses.
        let (mut c, _) = Client::new(password);
        let input = match i % 4 {
            0 => {
                let n = rng.below(200) as usize;
                rng.bytes(n)
            }
            1 => random_packets(&mut rng, 1),
            2 => {
                let r = handshake_response(b"root", &rng.bytes(20), Some(b"db"), b"x");
                let f = frame(1, &r[..rng.below(r.len() as u64 + 1) as usize]);
                let mut f2 = f.clone();
                if let Some(b) = f2.get_mut(rng.below(f.len() as u64) as usize) {
                    *b = rng.next() as u8;
                }
                f2
            }
            _ => {
                let r = handshake_response(b"root", b"", None, b"caching_sha2_password");
                let mut f = frame(1, &r);
                f.extend_from_slice(&random_packets(&mut rng, 3));
                f
            }
        };
        drive(&mut c, &input, &mut rng);
        // In the command phase.
        let mut c = Client::login(None);
        let input = if i % 2 == 0 {
            random_packets(&mut rng, 0)
        } else {
            let n = rng.below(300) as usize;
            rng.bytes(n)
        };
        drive(&mut c, &input, &mut rng);
    }
}

#[test]
fn mutated_statement_executions_never_panic() {
    let mut rng = Rng(0x0DDB_1A5E_5BAD_5EED);
    let mut c = with_table();
    let (id, _, _) = prepare(
        &mut c,
        "SELECT id, name FROM t WHERE id >= ? AND name <> ? OR ? IS NULL",
    );
    let valid = execute_body(
        id,
        &[
            (TYPE_LONGLONG, Some(1i64.to_le_bytes().to_vec())),
            (TYPE_VAR_STRING, Some(lenenc(b"x"))),
            (TYPE_DATETIME, Some(vec![7, 0xE8, 0x07, 1, 2, 3, 4, 5])),
        ],
        true,
    );
    for i in 0..3000 {
        let mut body = valid.clone();
        match i % 3 {
            0 => {
                for _ in 0..=rng.below(3) {
                    let at = rng.below(body.len() as u64) as usize;
                    body[at] = rng.next() as u8;
                }
                // Keep the statement id most of the time.
                if rng.below(4) != 0 {
                    body[..4].copy_from_slice(&id.to_le_bytes());
                }
            }
            1 => body.truncate(rng.below(body.len() as u64) as usize),
            _ => {
                let extra = rng.below(16) as usize;
                body.extend_from_slice(&rng.bytes(extra));
            }
        }
        let command = match rng.below(8) {
            0 => COM_STMT_SEND_LONG_DATA,
            1 => COM_STMT_RESET,
            _ => COM_STMT_EXECUTE,
        };
        let mut payload = vec![command];
        payload.extend_from_slice(&body);
        let mut out = Vec::new();
        let input = frame(0, &payload);
        let p = c
            .conn
            .process(&input, &mut c.engine, &c.settings, &mut out, HIGH_WATER);
        assert_eq!(p.consumed, input.len());
        assert!(!p.close);
    }
    // Still usable.
    let (_, rows) = result_set(&c.command(COM_STMT_EXECUTE, &valid));
    assert_eq!(rows.len(), 3);
}
