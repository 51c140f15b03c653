//! Which commands' replies take which RESP3 form (see [`crate::resp::resp3`]), as Redis 7.0
//! sends them to a `HELLO 3` client.

use super::eq_ignore_case;
use crate::resp::resp3::Shape;
use crate::resp::Args;

/// The RESP3 shape of the reply of command `name` (the table's lower-case name) to `args`.
pub(crate) fn shape(name: &str, args: &Args<'_>) -> Shape {
    let has = |word: &str| args.iter_from(1).any(|a| eq_ignore_case(a, word));
    match name {
        "hgetall" | "hello" => Shape::Map,
        "config" if eq_ignore_case(args.get(1), "get") => Shape::Map,
        "lcs" if has("idx") => Shape::Map,
        "smembers" | "sinter" | "sunion" | "sdiff" => Shape::Set,
        "spop" if args.len() == 3 => Shape::Set,
        "zscore" | "zincrby" | "zadd" => Shape::Double,
        "zmscore" => Shape::Doubles,
        "zrange" | "zrevrange" | "zrangebyscore" | "zrevrangebyscore" | "zunion" | "zinter"
        | "zdiff" | "zrandmember"
            if has("withscores") =>
        {
            Shape::ScorePairs
        }
        "zpopmin" | "zpopmax" if args.len() == 3 => Shape::ScorePairs,
        "zpopmin" | "zpopmax" | "bzpopmin" | "bzpopmax" => Shape::LastDouble,
        "zmpop" | "bzmpop" => Shape::KeyAndPairs,
        "hrandfield" if has("withvalues") => Shape::Pairs,
        "subscribe" | "unsubscribe" | "psubscribe" | "punsubscribe" => Shape::Push,
        "info" => Shape::Verbatim,
        _ => Shape::Plain,
    }
}
