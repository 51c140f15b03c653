//! Helpers shared by the integration tests.

use std::path::Path;

/// Checks that `text` is well-formed XML with a single `<svg>` root: every tag closes in order,
/// attributes are quoted, and `&` only starts an entity. Returns the element names seen.
pub fn check_well_formed_svg(text: &str) -> Result<Vec<String>, String> {
    let mut rest = text.trim_start();
    if let Some(after) = rest.strip_prefix("<?xml") {
        rest = &after[after.find("?>").ok_or("unterminated XML declaration")? + 2..];
    }
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut roots = 0;
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open])?;
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = &after[after.find("-->").ok_or("unterminated comment")? + 3..];
            continue;
        }
        let close = find_tag_end(rest).ok_or("unterminated tag")?;
        let tag = &rest[1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack.pop().ok_or(format!("stray </{name}>"))?;
            if top != name.trim() {
                return Err(format!("</{name}> closes <{top}>"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let body = tag.trim_end_matches('/');
        let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_:".contains(c))
        {
            return Err(format!("bad element name in <{tag}>"));
        }
        check_attributes(&body[name.len()..])?;
        if stack.is_empty() {
            roots += 1;
        }
        seen.push(name.clone());
        if !self_closing {
            stack.push(name);
        }
    }
    check_text(rest)?;
    if !stack.is_empty() {
        return Err(format!("unclosed elements {stack:?}"));
    }
    if roots != 1 || seen.first().map(String::as_str) != Some("svg") {
        return Err(format!(
            "expected one <svg> root, saw {roots} roots starting with {:?}",
            seen.first()
        ));
    }
    Ok(seen)
}

fn find_tag_end(s: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

fn check_attributes(attrs: &str) -> Result<(), String> {
    let mut rest = attrs.trim();
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or(format!("attribute without value: {rest}"))?;
        let after = rest[eq + 1..].trim_start();
        let q = after.chars().next().ok_or("missing attribute value")?;
        if q != '"' && q != '\'' {
            return Err(format!("unquoted attribute value: {after}"));
        }
        let end = after[1..].find(q).ok_or("unterminated attribute value")?;
        check_text(&after[1..1 + end])?;
        rest = after[end + 2..].trim_start();
    }
    Ok(())
}

fn check_text(text: &str) -> Result<(), String> {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        let semi = rest[amp..].find(';').ok_or(format!("bare & in {text:?}"))?;
        let entity = &rest[amp + 1..amp + semi];
        let known =
            ["amp", "lt", "gt", "quot", "apos"].contains(&entity) || entity.starts_with('#');
        if !known {
            return Err(format!("unknown entity &{entity};"));
        }
        rest = &rest[amp + semi + 1..];
    }
    Ok(())
}

/// Reads an SVG, checks it is well-formed and contains every label.
pub fn assert_svg(path: &Path, labels: &[&str]) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if let Err(e) = check_well_formed_svg(&text) {
        panic!("{} is not well-formed: {e}", path.display());
    }
    let texts = text_contents(&text);
    for label in labels {
        assert!(
            texts.iter().any(|t| t == label),
            "{} lacks label {label}; has {texts:?}",
            path.display()
        );
    }
}

#[test]
fn the_checker_rejects_broken_xml() {
    assert!(check_well_formed_svg("<svg><g></svg>").is_err());
    assert!(check_well_formed_svg("<svg a=1></svg>").is_err());
    assert!(check_well_formed_svg("<svg>a & b</svg>").is_err());
    assert!(check_well_formed_svg("<svg/><svg/>").is_err());
    assert!(check_well_formed_svg(
        "<?xml version=\"1.0\"?><svg x=\"a>b\"><text>&lt;ok&gt;</text><g/></svg>"
    )
    .is_ok());
}

/// The trimmed contents of every `<text>` element.
pub fn text_contents(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|chunk| {
            let start = chunk.find('>')? + 1;
            let end = chunk.find("</text>")?;
            Some(chunk[start..end].trim().to_string())
        })
        .collect()
}
