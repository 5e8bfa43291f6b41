//! Checks on SVG bytes before resvg sees them: an imported SVG is untrusted, and usvg will happily
//! inflate a gzip stream (`svgz`), expand DTD entities, and copy every `<use>` target in place —
//! a 5 MB file can become gigabytes and minutes of work that no thread can interrupt. So the
//! file is refused when it is compressed, declares a DOCTYPE or entities, nests too deeply, or
//! would expand to more elements than any flag needs. Both the import and every rasterisation
//! (app, report) run these checks, so a store written before them cannot get past them either.

use super::validate::{MAX_FILE_BYTES, Rejection};
use resvg::usvg::roxmltree::{self, Document, Node, NodeId, ParsingOptions};
use std::collections::{HashMap, HashSet};

/// Most elements an SVG may expand to, counting each `<use>` copy, each pattern, mask, clip,
/// filter or marker instance as usvg builds them. The most detailed built-in flags (coats of
/// arms) stay far below; nested `<use>` bombs go far above.
pub const MAX_SVG_ELEMENTS: u64 = 20_000;
/// What one masked or clipped element counts as: each is drawn to a layer the size of the
/// picture, so [`MAX_SVG_ELEMENTS`] allows about 200 of them.
pub const LAYER_WEIGHT: u64 = 100;
/// What one filtered element counts as: a layer plus several passes per pixel (a blur over a
/// flag-sized picture took ~0.1 s here), so at most about 20 (flags use none; a few thousand
/// blurred `<use>` copies took minutes).
pub const FILTER_WEIGHT: u64 = 1000;
/// Deepest nesting of elements and references (usvg and resvg recurse on it; a deeper file
/// would overflow the drawing thread's stack).
pub const MAX_SVG_DEPTH: usize = 64;
/// Most XML nodes parsed (elements, text, comments) before expansion.
const MAX_XML_NODES: u32 = 200_000;
/// Largest `numOctaves` of `feTurbulence` (its cost is per pixel and per octave; visible detail
/// ends well before 10).
const MAX_OCTAVES: f64 = 10.0;
/// Largest `order` of `feConvolveMatrix` (per-pixel cost is order²).
const MAX_KERNEL_ORDER: f64 = 9.0;

/// Check SVG bytes: not compressed, at most [`MAX_FILE_BYTES`], UTF-8, no DOCTYPE or entity
/// declaration, well-formed, and bounded once `<use>` and paint references are expanded.
pub fn check_svg_source(data: &[u8]) -> Result<(), Rejection> {
    if expanded_cost(data)? > MAX_SVG_ELEMENTS {
        return Err(Rejection::TooComplex(format!(
            "it expands to more than {MAX_SVG_ELEMENTS} elements (nested <use>, patterns, \
             markers or filtered layers)"
        )));
    }
    Ok(())
}

/// The work an SVG stands for, in elements (see [`MAX_SVG_ELEMENTS`], [`LAYER_WEIGHT`]), after
/// every check except that bound.
pub fn expanded_cost(data: &[u8]) -> Result<u64, Rejection> {
    if data.starts_with(&[0x1f, 0x8b]) {
        return Err(Rejection::Compressed);
    }
    if data.len() as u64 > MAX_FILE_BYTES {
        return Err(Rejection::TooLarge {
            bytes: data.len() as u64,
        });
    }
    if let Some(what) = declaration(data) {
        return Err(Rejection::Declaration(what));
    }
    let text = std::str::from_utf8(data)
        .map_err(|_| Rejection::Corrupt("invalid SVG: not UTF-8 text".into()))?;
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_XML_NODES,
    };
    let doc = Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::NodesLimitReached => {
            Rejection::TooComplex(format!("more than {MAX_XML_NODES} XML nodes"))
        }
        e => Rejection::Corrupt(format!("invalid SVG: {e}")),
    })?;
    check_filters(&doc)?;
    Expansion::new(&doc).of(doc.root_element(), 0)
}

/// `DOCTYPE` or `ENTITY` when the bytes declare one (any case, anywhere: a comment holding one
/// is refused too, which costs a real flag nothing).
fn declaration(data: &[u8]) -> Option<&'static str> {
    let has = |needle: &[u8]| {
        data.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    if has(b"<!ENTITY") {
        Some("ENTITY")
    } else if has(b"<!DOCTYPE") {
        Some("DOCTYPE")
    } else {
        None
    }
}

/// Filter primitives whose cost grows with an attribute rather than with the picture.
fn check_filters(doc: &Document<'_>) -> Result<(), Rejection> {
    for node in doc.descendants().filter(Node::is_element) {
        let limit = match node.tag_name().name() {
            "feTurbulence" => Some(("numOctaves", MAX_OCTAVES)),
            "feConvolveMatrix" => Some(("order", MAX_KERNEL_ORDER)),
            _ => None,
        };
        let Some((attr, max)) = limit else { continue };
        let Some(value) = node.attribute(attr) else {
            continue;
        };
        let too_big = value
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .any(|s| s.parse::<f64>().map_or(true, |v| v.is_nan() || v > max));
        if too_big {
            return Err(Rejection::TooComplex(format!(
                "<{}> {attr}=\"{value}\" (at most {max})",
                node.tag_name().name()
            )));
        }
    }
    Ok(())
}

/// Counts the elements a document expands to, following `href="#id"` and `url(#id)` references
/// the way usvg instantiates them (memoised, so the count itself is linear in the file).
struct Expansion<'a, 'i> {
    ids: HashMap<&'a str, Node<'a, 'i>>,
    memo: HashMap<NodeId, u64>,
    visiting: HashSet<NodeId>,
    /// Cost added to every element by `url(#…)` references in `<style>` sheets (a selector such
    /// as `*` may apply them to all), and whether those sheets set markers.
    sheet: (Vec<&'a str>, bool, u64),
    sheet_cost: Option<u64>,
}

impl<'a, 'i> Expansion<'a, 'i> {
    fn new(doc: &'a Document<'i>) -> Self {
        let mut ids = HashMap::new();
        let mut refs = Vec::new();
        let mut markers = false;
        let mut layers = 0;
        for node in doc.descendants().filter(Node::is_element) {
            if let Some(id) = node.attribute("id") {
                ids.entry(id).or_insert(node);
            }
            if node.tag_name().name() == "style" {
                for text in node.children().filter_map(|c| c.text()) {
                    refs.extend(url_refs(text));
                    markers |= text.contains("marker");
                    layers = layers.max(layer_weight(text));
                }
            }
        }
        Expansion {
            ids,
            memo: HashMap::new(),
            visiting: HashSet::new(),
            sheet: (refs, markers, layers),
            sheet_cost: None,
        }
    }

    /// Elements `node` stands for, references expanded.
    fn of(&mut self, node: Node<'a, 'i>, depth: usize) -> Result<u64, Rejection> {
        if depth > MAX_SVG_DEPTH {
            return Err(Rejection::TooComplex(format!(
                "elements or references nest more than {MAX_SVG_DEPTH} deep"
            )));
        }
        if let Some(&c) = self.memo.get(&node.id()) {
            return Ok(c);
        }
        // A reference cycle: usvg drops it, so it adds nothing.
        if !self.visiting.insert(node.id()) {
            return Ok(0);
        }
        let vertices = vertex_count(node);
        let mut total: u64 = 1;
        for attr in node.attributes() {
            let value = attr.value();
            let times = if attr.name().starts_with("marker")
                || (attr.name() == "style" && value.contains("marker"))
            {
                vertices
            } else {
                1
            };
            let weight = match attr.name() {
                _ if value.trim() == "none" => 0,
                "filter" => FILTER_WEIGHT,
                "mask" | "clip-path" => LAYER_WEIGHT,
                "style" => layer_weight(value),
                _ => 0,
            };
            total = total.saturating_add(weight);
            let href = (attr.name() == "href")
                .then(|| value.strip_prefix('#'))
                .flatten()
                .and_then(|id| self.ids.get(id).copied());
            if let Some(target) = href {
                total = total.saturating_add(self.of(target, depth + 1)?);
            }
            for id in url_refs(value) {
                if let Some(target) = self.ids.get(id).copied() {
                    let each = self.of(target, depth + 1)?;
                    total = total.saturating_add(each.saturating_mul(times));
                }
            }
        }
        for child in node.children().filter(Node::is_element) {
            // Definitions are drawn only where referenced, and counted there.
            let cost = if child.tag_name().name() == "defs" {
                1
            } else {
                self.of(child, depth + 1)?
            };
            total = total.saturating_add(cost);
        }
        let sheet = self.sheet_cost(depth)?;
        let times = if self.sheet.1 { vertices } else { 1 };
        total = total.saturating_add(sheet.saturating_mul(times));
        total = total.saturating_add(self.sheet.2);
        self.visiting.remove(&node.id());
        self.memo.insert(node.id(), total);
        Ok(total)
    }

    fn sheet_cost(&mut self, depth: usize) -> Result<u64, Rejection> {
        if let Some(c) = self.sheet_cost {
            return Ok(c);
        }
        // Set first: the targets themselves are elements the sheet applies to.
        self.sheet_cost = Some(0);
        let mut total = 0u64;
        for id in self.sheet.0.clone() {
            if let Some(target) = self.ids.get(id).copied() {
                total = total.saturating_add(self.of(target, depth + 1)?);
            }
        }
        self.sheet_cost = Some(total);
        Ok(total)
    }
}

/// The weight of what CSS text sets: a filter, a mask or clip path, or neither.
fn layer_weight(css: &str) -> u64 {
    let sets = |p: &str| {
        css.split(p)
            .skip(1)
            .any(|rest| rest.trim_start().starts_with(':'))
    };
    if sets("filter") {
        FILTER_WEIGHT
    } else if sets("mask") || sets("clip-path") {
        LAYER_WEIGHT
    } else {
        0
    }
}

/// The ids of every `url(#id)` in an attribute value or style sheet.
fn url_refs(value: &str) -> impl Iterator<Item = &str> {
    value.split("url(").skip(1).filter_map(|rest| {
        let rest = rest.trim_start().trim_start_matches(['\'', '"']);
        let id = rest.strip_prefix('#')?;
        let end = id.find([')', '\'', '"']).unwrap_or(id.len());
        Some(id[..end].trim())
    })
}

/// About how many vertices a shape has (numbers in its path data or points, halved): markers
/// are drawn once per vertex.
fn vertex_count(node: Node<'_, '_>) -> u64 {
    let data = node.attribute("d").or_else(|| node.attribute("points"));
    let Some(data) = data else { return 1 };
    let mut numbers = 0u64;
    let mut in_number = false;
    for b in data.bytes() {
        let digit = b.is_ascii_digit();
        if digit && !in_number {
            numbers += 1;
        }
        in_number = digit || (in_number && b == b'.');
    }
    (numbers / 2).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_flags_cost_a_fraction_of_the_bound() {
        let (name, cost) = crate::flags::builtin::ASSETS
            .iter()
            .map(|(name, svg)| (name, expanded_cost(svg).unwrap()))
            .max_by_key(|(_, c)| *c)
            .unwrap();
        eprintln!("costliest built-in flag: {name} = {cost}");
        assert!(cost * 4 <= MAX_SVG_ELEMENTS, "{name}: {cost}");
    }

    #[test]
    fn url_refs_finds_every_reference_in_any_quoting() {
        let v = "fill:url(#a); stroke: url( '#b' ); mask:url(\"#c\")";
        assert_eq!(url_refs(v).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(url_refs("none").count(), 0);
    }

    #[test]
    fn nested_use_is_counted_as_expanded_and_refused() {
        // 8 levels of 10 copies: 10^8 elements once usvg has copied every <use>.
        let mut svg = String::from(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="30" height="20"><defs><rect id="l0" width="1" height="1"/>"#,
        );
        for level in 1..=8 {
            svg.push_str(&format!(r#"<g id="l{level}">"#));
            for _ in 0..10 {
                svg.push_str(&format!(r##"<use xlink:href="#l{}"/>"##, level - 1));
            }
            svg.push_str("</g>");
        }
        svg.push_str(r##"</defs><use href="#l8"/></svg>"##);
        let err = check_svg_source(svg.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, Rejection::TooComplex(m) if m.contains("expands to more than")),
            "{err}"
        );
    }

    #[test]
    fn reference_cycles_and_plain_flags_pass() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g><rect width="30" height="20" fill="#0a0"/></svg>"##;
        assert_eq!(check_svg_source(svg), Ok(()));
    }

    #[test]
    fn deep_nesting_is_refused_before_it_can_overflow_a_stack() {
        let depth = MAX_SVG_DEPTH + 10;
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="3" height="2">{}{}</svg>"#,
            "<g>".repeat(depth),
            "</g>".repeat(depth)
        );
        let err = check_svg_source(svg.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("nest more than"), "{err}");
    }

    #[test]
    fn markers_count_once_per_vertex() {
        let points = "1,1 ".repeat(5_000);
        let svg = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="3" height="2"><marker id="m"><g>{}</g></marker><polyline points="{points}" marker-mid="url(#m)"/></svg>"##,
            "<rect width=\"1\" height=\"1\"/>".repeat(10)
        );
        let err = check_svg_source(svg.as_bytes()).unwrap_err();
        assert!(matches!(err, Rejection::TooComplex(_)), "{err}");
    }

    #[test]
    fn many_filtered_copies_are_refused_a_few_pass() {
        let svg = |n: usize| {
            format!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" width="3" height="2"><defs><filter id="f"><feGaussianBlur stdDeviation="2"/></filter><rect id="r" width="3" height="2" filter="url(#f)"/><g id="a">{}</g></defs>{}</svg>"##,
                r##"<use href="#r"/>"##.repeat(n),
                r##"<use href="#a"/>"##.repeat(n),
            )
        };
        assert_eq!(check_svg_source(svg(4).as_bytes()), Ok(()));
        let err = check_svg_source(svg(5).as_bytes()).unwrap_err();
        assert!(matches!(err, Rejection::TooComplex(_)), "{err}");
    }

    #[test]
    fn turbulence_with_huge_octaves_is_refused() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="3" height="2"><filter id="f"><feTurbulence numOctaves="1000000000"/></filter></svg>"#;
        let err = check_svg_source(svg).unwrap_err();
        assert!(err.to_string().contains("numOctaves"), "{err}");
    }
}
