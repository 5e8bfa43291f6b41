//! Recording file name templates: checked when a rule is saved, expanded from the match when it
//! fires. OBS on Windows refuses to record to a name with `<>:"/\|?*`, a control character or a
//! device name (`CON`, `COM1` … with any extension), so the check refuses those in the template
//! itself ([`check_template`]) and the expansion turns whatever the match data holds into a name
//! every platform accepts ([`expand_template`]). The rules come from [`crate::fsname`].

use crate::fsname::{self, NameProblem};
use crate::match_state::MatchState;

/// Placeholders understood in a recording file name template.
pub const TEMPLATE_FIELDS: [&str; 8] = [
    "{match}",
    "{phase}",
    "{weight}",
    "{blue}",
    "{blue_country}",
    "{red}",
    "{red_country}",
    "{court}",
];

/// Longest expanded name, in bytes: OBS adds the extension (and may add a number), and
/// [`fsname`] allows 255.
const MAX_NAME_BYTES: usize = 200;

/// Check a template as the operator typed it. Placeholders stand for a plain word here (their
/// values are cleaned on expansion), so what is judged is the template's own text: a `:` in
/// `%hh:%mm`, a `/`, a name that is `CON` whatever the extension.
pub fn check_template(template: &str) -> Result<(), NameProblem> {
    let mut sample = template.to_string();
    for field in TEMPLATE_FIELDS {
        sample = sample.replace(field, "x");
    }
    fsname::check_file_name(&sample)
}

/// Fill a file name template from the match state. Values are cleaned so they cannot break the
/// file name on any OS or be read as OBS time codes (`%`); missing values become `-`. Text
/// outside placeholders (including OBS codes like `%CCYY`) is kept. The result is always one file
/// name Windows accepts, whatever the data (a court named `CON`, a match number `12:03`) or an
/// older stored template (`%hh:%mm`): see [`valid_name`].
pub fn expand_template(template: &str, state: &MatchState, court: &str) -> String {
    let name = |s: &crate::match_state::Side| {
        if s.long_name.trim().is_empty() {
            s.short_name.clone()
        } else {
            s.long_name.clone()
        }
    };
    let values = [
        state.info.number.clone(),
        state.info.phase.clone(),
        state.info.weight.clone(),
        name(&state.blue),
        state.blue.country.clone(),
        name(&state.red),
        state.red.country.clone(),
        court.to_string(),
    ];
    let mut out = template.to_string();
    for (field, value) in TEMPLATE_FIELDS.iter().zip(values) {
        out = out.replace(field, &clean_value(&value));
    }
    valid_name(&out)
}

/// Keep letters, digits and a few safe marks; everything else becomes a space; runs of spaces
/// collapse; at most 40 characters.
fn clean_value(v: &str) -> String {
    let mapped: String = v
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '+' | '\'') {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = mapped.split_whitespace().collect();
    let joined: String = words.join(" ").chars().take(40).collect();
    let joined = joined.trim().trim_matches('.').to_string();
    if joined.is_empty() {
        "-".into()
    } else {
        joined
    }
}

/// Make `name` one valid file name, changing as little as possible: forbidden and control
/// characters become `-`, a device name gets `_` after its stem (`CON.12` → `CON_.12`), a
/// trailing dot or space is dropped, an overlong name is cut, an empty one becomes `-`.
fn valid_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if fsname::is_forbidden_char(c) { '-' } else { c })
        .collect();
    if out.len() > MAX_NAME_BYTES {
        let mut cut = MAX_NAME_BYTES;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
    }
    let trimmed = out.trim_end_matches(['.', ' ']);
    let mut out = if trimmed.is_empty() {
        "-".to_string()
    } else {
        trimmed.to_string()
    };
    if out == "-" {
        return out;
    }
    let stem_len = out.find('.').unwrap_or(out.len());
    if fsname::is_reserved_device_name(&out[..stem_len]) {
        out.insert(stem_len, '_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_name_repairs_each_kind_of_problem() {
        assert_eq!(valid_name("CON"), "CON_");
        assert_eq!(valid_name("com1.12"), "com1_.12");
        assert_eq!(valid_name("%hh:%mm"), "%hh-%mm");
        assert_eq!(valid_name("a\u{7}b|c"), "a-b-c");
        assert_eq!(valid_name("name. "), "name");
        assert_eq!(valid_name(" ."), "-");
        assert_eq!(valid_name(&"é".repeat(150)).len(), MAX_NAME_BYTES);
        assert_eq!(valid_name("Court 1 - 12"), "Court 1 - 12");
    }
}
