use super::{rewrite, Shape};
use alloc::vec::Vec;

fn conv(reply: &[u8], shape: Shape) -> Vec<u8> {
    let mut out = b"+kept\r\n".to_vec();
    out.extend_from_slice(reply);
    rewrite(&mut out, 7, shape);
    assert!(
        out.starts_with(b"+kept\r\n"),
        "bytes before the reply are kept"
    );
    out.split_off(7)
}

#[test]
fn nulls_become_underscore_at_any_depth() {
    assert_eq!(conv(b"$-1\r\n", Shape::Plain), b"_\r\n");
    assert_eq!(conv(b"*-1\r\n", Shape::Plain), b"_\r\n");
    assert_eq!(
        conv(b"*3\r\n$1\r\na\r\n$-1\r\n*1\r\n*-1\r\n", Shape::Plain),
        b"*3\r\n$1\r\na\r\n_\r\n*1\r\n_\r\n"
    );
    // A bulk whose payload looks like a null is data, not a null.
    assert_eq!(
        conv(b"$5\r\n$-1\r\n\r\n", Shape::Plain),
        b"$5\r\n$-1\r\n\r\n"
    );
}

#[test]
fn maps_sets_and_pushes() {
    assert_eq!(
        conv(
            b"*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n$-1\r\n",
            Shape::Map
        ),
        b"%2\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\ng\r\n_\r\n"
    );
    assert_eq!(conv(b"*0\r\n", Shape::Map), b"%0\r\n");
    assert_eq!(conv(b"*1\r\n$1\r\na\r\n", Shape::Set), b"~1\r\n$1\r\na\r\n");
    // Several top-level replies (SUBSCRIBE a b): each becomes a push.
    assert_eq!(
        conv(
            b"*2\r\n$1\r\na\r\n:1\r\n*2\r\n$1\r\nb\r\n:2\r\n",
            Shape::Push
        ),
        b">2\r\n$1\r\na\r\n:1\r\n>2\r\n$1\r\nb\r\n:2\r\n"
    );
    // Errors pass through every shape.
    assert_eq!(conv(b"-ERR x\r\n", Shape::Map), b"-ERR x\r\n");
    assert_eq!(
        conv(b"-WRONGTYPE y\r\n", Shape::Double),
        b"-WRONGTYPE y\r\n"
    );
}

#[test]
fn doubles_and_score_pairs() {
    assert_eq!(conv(b"$3\r\n1.5\r\n", Shape::Double), b",1.5\r\n");
    assert_eq!(conv(b"$-1\r\n", Shape::Double), b"_\r\n");
    assert_eq!(conv(b":3\r\n", Shape::Double), b":3\r\n");
    assert_eq!(
        conv(b"*2\r\n$3\r\ninf\r\n$-1\r\n", Shape::Doubles),
        b"*2\r\n,inf\r\n_\r\n"
    );
    assert_eq!(
        conv(
            b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
            Shape::ScorePairs
        ),
        b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    );
    assert_eq!(
        conv(b"*2\r\n$1\r\nf\r\n$1\r\nv\r\n", Shape::Pairs),
        b"*1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
    );
    assert_eq!(
        conv(
            b"*3\r\n$1\r\nk\r\n$1\r\nm\r\n$3\r\n2.5\r\n",
            Shape::LastDouble
        ),
        b"*3\r\n$1\r\nk\r\n$1\r\nm\r\n,2.5\r\n"
    );
    assert_eq!(
        conv(
            b"*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$1\r\nm\r\n$1\r\n1\r\n",
            Shape::KeyAndPairs
        ),
        b"*2\r\n$1\r\nk\r\n*1\r\n*2\r\n$1\r\nm\r\n,1\r\n"
    );
    assert_eq!(conv(b"*-1\r\n", Shape::KeyAndPairs), b"_\r\n");
}

#[test]
fn verbatim_text_and_already_resp3_input() {
    assert_eq!(conv(b"$2\r\nab\r\n", Shape::Verbatim), b"=6\r\ntxt:ab\r\n");
    // EXEC's inner replies were rewritten already; the outer pass keeps them.
    let inner = b"*2\r\n%1\r\n$1\r\nf\r\n_\r\n,1.5\r\n";
    assert_eq!(conv(inner, Shape::Plain), inner);
}

#[test]
fn truncated_input_is_left_alone() {
    assert_eq!(conv(b"*2\r\n$1\r\na\r\n", Shape::Map), b"*2\r\n$1\r\na\r\n");
    assert_eq!(conv(b"$10\r\nab\r\n", Shape::Double), b"$10\r\nab\r\n");
}
