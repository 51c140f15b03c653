//! String commands: GET SET GETEX GETDEL GETSET SETNX SETEX PSETEX MGET MSET MSETNX
//! APPEND STRLEN GETRANGE SETRANGE.

use super::expire::{ttl_arg, MS_PER_SEC};
use super::{eq_ignore_case, int_arg, wrong_arity, Ctx, Replied, SYNTAX_ERROR, WRONGTYPE};
use crate::resp::{self, Args, NULL_BULK, OK};
use crate::store::{Ttl, Value};

/// Redis's reply when a string would grow past `proto-max-bulk-len`.
pub(crate) const STRING_TOO_LONG: &[u8] =
    b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n";

/// `GET key`.
pub fn get(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => ctx.out.extend_from_slice(NULL_BULK),
        Some(Value::Str(s)) => resp::bulk(ctx.out, s),
        Some(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// Options of `SET` and `GETEX` (Redis's `parseExtendedStringArgumentsOrReply`).
#[derive(Default)]
struct SetOptions {
    nx: bool,
    xx: bool,
    get: bool,
    persist: bool,
    ttl: Option<Ttl>,
}

/// Which options a command accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OptionsOf {
    Set,
    GetEx,
}

fn parse_set_options(
    ctx: &mut Ctx<'_>,
    args: &Args<'_>,
    from: usize,
    of: OptionsOf,
    cmd: &str,
) -> Result<SetOptions, Replied> {
    let mut o = SetOptions::default();
    let mut i = from;
    while i < args.len() {
        let opt = args.get(i);
        let unit = [
            ("ex", MS_PER_SEC, false),
            ("px", 1, false),
            ("exat", MS_PER_SEC, true),
            ("pxat", 1, true),
        ]
        .into_iter()
        .find(|(name, _, _)| eq_ignore_case(opt, name));
        let no_ttl = o.ttl.is_none() && !o.persist;
        let set = of == OptionsOf::Set;
        if set && eq_ignore_case(opt, "nx") && !o.xx {
            o.nx = true;
        } else if set && eq_ignore_case(opt, "xx") && !o.nx {
            o.xx = true;
        } else if set && eq_ignore_case(opt, "get") {
            o.get = true;
        } else if set && eq_ignore_case(opt, "keepttl") && no_ttl {
            o.ttl = Some(Ttl::Keep);
        } else if !set && eq_ignore_case(opt, "persist") && no_ttl {
            o.persist = true;
        } else if let (Some((_, unit_ms, absolute)), true, true) =
            (unit, no_ttl, i + 1 < args.len())
        {
            i += 1;
            let at = ttl_arg(ctx, args.get(i), unit_ms, absolute, cmd)?;
            o.ttl = Some(Ttl::At(at));
        } else {
            ctx.out.extend_from_slice(SYNTAX_ERROR);
            return Err(Replied);
        }
        i += 1;
    }
    Ok(o)
}

/// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]`.
pub fn set(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(o) = parse_set_options(ctx, args, 3, OptionsOf::Set, "set") else {
        return;
    };
    let (key, value) = (args.get(1), args.get(2));
    let store = &mut ctx.shared.store;
    let old = store.get(key, ctx.now_ms);
    let exists = old.is_some();
    if o.get {
        match old {
            None => ctx.out.extend_from_slice(NULL_BULK),
            Some(Value::Str(s)) => resp::bulk(ctx.out, s),
            Some(_) => {
                ctx.out.extend_from_slice(WRONGTYPE);
                return;
            }
        }
    }
    if (o.nx && exists) || (o.xx && !exists) {
        if !o.get {
            ctx.out.extend_from_slice(NULL_BULK);
        }
        return;
    }
    store.set_str(key, value, o.ttl.unwrap_or(Ttl::Clear), ctx.now_ms);
    if !o.get {
        ctx.out.extend_from_slice(OK);
    }
}

/// `GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]`.
pub fn getex(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Ok(o) = parse_set_options(ctx, args, 2, OptionsOf::GetEx, "getex") else {
        return;
    };
    let key = args.get(1);
    let store = &mut ctx.shared.store;
    match store.get(key, ctx.now_ms) {
        None => {
            ctx.out.extend_from_slice(NULL_BULK);
            return;
        }
        Some(Value::Str(s)) => resp::bulk(ctx.out, s),
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            return;
        }
    }
    match o.ttl {
        Some(Ttl::At(at)) if at <= ctx.now_ms => {
            store.delete(key, ctx.now_ms);
        }
        Some(Ttl::At(at)) => {
            store.expire(key, Some(at), ctx.now_ms);
        }
        _ if o.persist => {
            store.expire(key, None, ctx.now_ms);
        }
        _ => {}
    }
}

/// `GETDEL key`.
pub fn getdel(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let key = args.get(1);
    match ctx.shared.store.get(key, ctx.now_ms) {
        None => ctx.out.extend_from_slice(NULL_BULK),
        Some(Value::Str(s)) => {
            resp::bulk(ctx.out, s);
            ctx.shared.store.delete(key, ctx.now_ms);
        }
        Some(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `GETSET key value`: the old value; the new one has no time to live.
pub fn getset(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let key = args.get(1);
    match ctx.shared.store.get(key, ctx.now_ms) {
        None => ctx.out.extend_from_slice(NULL_BULK),
        Some(Value::Str(s)) => resp::bulk(ctx.out, s),
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            return;
        }
    }
    ctx.shared
        .store
        .set_str(key, args.get(2), Ttl::Clear, ctx.now_ms);
}

/// `SETNX key value`: 1 when set.
pub fn setnx(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let key = args.get(1);
    let store = &mut ctx.shared.store;
    let absent = !store.exists(key, ctx.now_ms);
    if absent {
        store.set_str(key, args.get(2), Ttl::Clear, ctx.now_ms);
    }
    resp::integer(ctx.out, i64::from(absent));
}

/// `SETEX key seconds value`.
pub fn setex(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    set_with_ttl(ctx, args, MS_PER_SEC, "setex");
}

/// `PSETEX key milliseconds value`.
pub fn psetex(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    set_with_ttl(ctx, args, 1, "psetex");
}

fn set_with_ttl(ctx: &mut Ctx<'_>, args: &Args<'_>, unit_ms: i64, cmd: &str) {
    let Ok(at) = ttl_arg(ctx, args.get(2), unit_ms, false, cmd) else {
        return;
    };
    ctx.shared
        .store
        .set_str(args.get(1), args.get(3), Ttl::At(at), ctx.now_ms);
    ctx.out.extend_from_slice(OK);
}

/// `MGET key...`: values, nil for missing keys and non-strings.
pub fn mget(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    resp::array_header(ctx.out, args.len() - 1);
    for key in args.iter_from(1) {
        match ctx.shared.store.get(key, ctx.now_ms) {
            Some(Value::Str(s)) => resp::bulk(ctx.out, s),
            _ => ctx.out.extend_from_slice(NULL_BULK),
        }
    }
}

/// `MSET key value [key value...]`.
pub fn mset(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    if args.len().is_multiple_of(2) {
        wrong_arity(ctx.out, "mset");
        return;
    }
    mset_all(ctx, args);
    ctx.out.extend_from_slice(OK);
}

/// `MSETNX key value [key value...]`: 1 when no key existed and all were set.
pub fn msetnx(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    if args.len().is_multiple_of(2) {
        wrong_arity(ctx.out, "msetnx");
        return;
    }
    let now_ms = ctx.now_ms;
    let store = &mut ctx.shared.store;
    if args
        .iter_from(1)
        .step_by(2)
        .any(|k| store.exists(k, now_ms))
    {
        resp::integer(ctx.out, 0);
        return;
    }
    mset_all(ctx, args);
    resp::integer(ctx.out, 1);
}

fn mset_all(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let mut i = 1;
    while i + 1 < args.len() {
        ctx.shared
            .store
            .set_str(args.get(i), args.get(i + 1), Ttl::Clear, ctx.now_ms);
        i += 2;
    }
}

/// Whether a string may grow to `len` bytes: within `proto-max-bulk-len`, and (with
/// `maxmemory`) the growth `extra` fits. Writes the error otherwise.
pub(crate) fn may_grow(ctx: &mut Ctx<'_>, len: usize, extra: usize) -> bool {
    if len > ctx.shared.config.max_bulk_len {
        ctx.out.extend_from_slice(STRING_TOO_LONG);
        return false;
    }
    let maxmemory = ctx.shared.config.maxmemory;
    if maxmemory != 0 && ctx.shared.used_memory().saturating_add(extra) > maxmemory {
        ctx.out
            .extend_from_slice(b"-OOM command not allowed when used memory > 'maxmemory'.\r\n");
        return false;
    }
    true
}

/// Length of the string at `key`: `Ok(0)` when missing, `Err` (replied) on a wrong type.
fn str_len(ctx: &mut Ctx<'_>, key: &[u8]) -> Result<usize, Replied> {
    match ctx.shared.store.get(key, ctx.now_ms) {
        None => Ok(0),
        Some(Value::Str(s)) => Ok(s.len()),
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            Err(Replied)
        }
    }
}

/// `APPEND key tail`.
pub fn append(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let (key, tail) = (args.get(1), args.get(2));
    let Ok(len) = str_len(ctx, key) else {
        return;
    };
    if !may_grow(ctx, len.saturating_add(tail.len()), tail.len()) {
        return;
    }
    match ctx.shared.store.append(key, tail, ctx.now_ms) {
        Ok(len) => resp::integer(ctx.out, len as i64),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}

/// `STRLEN key`.
pub fn strlen(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    super::reply_len(ctx, args, |value| match value {
        Value::Str(s) => Some(s.len()),
        _ => None,
    });
}

/// `GETRANGE key start end` (inclusive, negative from the end).
pub fn getrange(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let Some(start) = int_arg(ctx.out, args, 2) else {
        return;
    };
    let Some(end) = int_arg(ctx.out, args, 3) else {
        return;
    };
    let s = match ctx.shared.store.get(args.get(1), ctx.now_ms) {
        None => &[][..],
        Some(Value::Str(s)) => s.as_slice(),
        Some(_) => {
            ctx.out.extend_from_slice(WRONGTYPE);
            return;
        }
    };
    let len = s.len() as i64;
    if (start < 0 && end < 0 && start > end) || len == 0 {
        resp::bulk(ctx.out, b"");
        return;
    }
    let from_end = |i: i64| if i < 0 { (len + i).max(0) } else { i };
    let (start, end) = (from_end(start), from_end(end).min(len - 1));
    if start > end {
        resp::bulk(ctx.out, b"");
        return;
    }
    resp::bulk(ctx.out, s.get(start as usize..=end as usize).unwrap_or(&[]));
}

/// `SETRANGE key offset value`: the new length.
pub fn setrange(ctx: &mut Ctx<'_>, args: &Args<'_>) {
    let (key, value) = (args.get(1), args.get(3));
    let Some(offset) = int_arg(ctx.out, args, 2) else {
        return;
    };
    let Ok(offset) = usize::try_from(offset) else {
        ctx.out
            .extend_from_slice(b"-ERR offset is out of range\r\n");
        return;
    };
    let Ok(len) = str_len(ctx, key) else {
        return;
    };
    if value.is_empty() {
        resp::integer(ctx.out, len as i64);
        return;
    }
    let new_len = offset.saturating_add(value.len());
    if !may_grow(ctx, new_len, new_len.saturating_sub(len)) {
        return;
    }
    let r = ctx.shared.store.str_mut(key, ctx.now_ms, true, |s| {
        if s.len() < new_len {
            s.resize(new_len, 0);
        }
        if let Some(dst) = s.get_mut(offset..new_len) {
            dst.copy_from_slice(value);
        }
        s.len()
    });
    match r {
        Ok(n) => resp::integer(ctx.out, n.unwrap_or(0) as i64),
        Err(_) => ctx.out.extend_from_slice(WRONGTYPE),
    }
}
