//! The report's round statistics section: what the scoring program counted at each round end
//! (`rst`): body and head points and gam-jeom per athlete. It is the scoring program's own
//! tally, shown beside (not merged into) courtside's count of `pt` messages.

use super::MatchReport;
use super::layout::{Anchor, BLUE, GREY, INK, MARGIN, Page, RED};

/// Column right edges: blue body, head, gam-jeom, then red's.
const COLS: [f32; 6] = [150.0, 195.0, 255.0, 320.0, 365.0, 425.0];

/// Lay the section out from `y`; returns the y below it.
pub(super) fn section(p: &mut Page, r: &MatchReport, y: f32) -> f32 {
    let mut y = p.heading(y, "Round statistics (from the scoring program)");
    if r.round_stats.is_empty() {
        p.text(MARGIN, y, 10.0, GREY, Anchor::Left, "Not sent");
        return y + 14.0;
    }
    let heads = ["Body", "Head", "Gam-jeom"];
    for (i, x) in COLS.iter().enumerate() {
        let color = if i < 3 { BLUE } else { RED };
        p.text(MARGIN + x, y, 9.0, color, Anchor::Right, heads[i % 3]);
    }
    y += 14.0;
    for s in &r.round_stats {
        p.text(
            MARGIN,
            y,
            10.0,
            INK,
            Anchor::Left,
            &format!("Round {}", s.round),
        );
        let values = [
            s.blue.body,
            s.blue.head,
            s.blue.gam_jeom,
            s.red.body,
            s.red.head,
            s.red.gam_jeom,
        ];
        for (x, v) in COLS.iter().zip(values) {
            p.text(MARGIN + x, y, 10.0, INK, Anchor::Right, &v.to_string());
        }
        // Fields c–e have no documented meaning; shown only when they say something.
        let other: Vec<&str> = [&s.blue.other, &s.red.other]
            .iter()
            .flat_map(|o| o.iter())
            .map(String::as_str)
            .filter(|v| !v.is_empty() && *v != "0")
            .collect();
        if !other.is_empty() {
            let text = format!(
                "other: {} / {}",
                s.blue.other.join(" "),
                s.red.other.join(" ")
            );
            p.text(MARGIN + COLS[5] + 10.0, y, 7.0, GREY, Anchor::Left, &text);
        }
        y += 14.0;
    }
    y
}

#[cfg(test)]
mod tests {
    use super::super::MatchReport;
    use super::super::layout::{Item, PAGE_H, layout};
    use crate::protocol::parse_text;
    use crate::store::EventRecord;

    fn report_of(lines: &[&str]) -> MatchReport {
        let records: Vec<EventRecord> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| EventRecord {
                seq: i as u64 + 1,
                received_at_ns: i as i64,
                source: "test".into(),
                court: String::new(),
                raw: l.as_bytes().to_vec(),
                events: parse_text(l),
                match_key: 1,
            })
            .collect();
        MatchReport::from_records(1, "", &records)
    }

    fn texts(r: &MatchReport) -> Vec<String> {
        layout(r)
            .into_iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text),
                _ => None,
            })
            .collect()
    }

    /// The text items on the line of the page that starts with `first`.
    fn row(r: &MatchReport, first: &str, after_heading: &str) -> Vec<String> {
        let items = layout(r);
        let ys: Vec<(f32, String)> = items
            .into_iter()
            .filter_map(|i| match i {
                Item::Text { y, text, .. } => Some((y, text)),
                _ => None,
            })
            .collect();
        let heading = ys.iter().position(|(_, t)| t.starts_with(after_heading));
        let start = heading.expect("section heading");
        let y = ys[start..]
            .iter()
            .find(|(_, t)| t == first)
            .map(|(y, _)| *y)
            .expect("row");
        ys.iter()
            .filter(|(yy, _)| *yy == y)
            .map(|(_, t)| t.clone())
            .collect()
    }

    #[test]
    fn the_report_shows_each_rounds_statistics_from_rst() {
        let r = report_of(&[
            "pre;FightLoaded;",
            "rst;1;st1;2;1;0;0;0;1;st2;0;3;0;0;0;0;",
            "rsr;",
            "rst;2;st1;0;0;0;0;0;0;st2;4;0;0;0;0;2;",
        ]);
        assert_eq!(r.round_stats.len(), 2);
        let heading = "Round statistics";
        assert_eq!(
            row(&r, "Round 1", heading),
            ["Round 1", "2", "1", "1", "0", "3", "0"]
        );
        assert_eq!(
            row(&r, "Round 2", heading),
            ["Round 2", "0", "0", "0", "4", "0", "2"]
        );
        // Everything still on the page.
        for item in layout(&r) {
            if let Item::Text { y, text, .. } = item {
                assert!(y < PAGE_H - 20.0, "{text} at {y}");
            }
        }
    }

    #[test]
    fn a_match_without_rst_says_not_sent_and_a_tie_says_tie() {
        let r = report_of(&["pre;FightLoaded;", "win;TIE", "wmh;;0-0 WDR"]);
        let t = texts(&r);
        assert!(t.iter().any(|t| t == "Not sent"), "{t:?}");
        assert!(t.iter().any(|t| t == "Tie — no winner · 0-0 WDR"), "{t:?}");
        assert!(r.tie && r.winner.is_none());
    }

    #[test]
    fn many_challenges_stay_on_the_page_and_the_rest_are_counted() {
        let mut lines = vec!["pre;FightLoaded;".to_string()];
        for _ in 0..30 {
            lines.push("ch1;".into());
            lines.push("ch1;1;0;".into());
        }
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let r = report_of(&lines);
        assert_eq!(r.challenges.len(), 30);
        let t = texts(&r);
        let shown = t.iter().filter(|t| t.ends_with("· lost")).count();
        let more = format!("… and {} more", 30 - shown);
        assert!(t.contains(&more), "{t:?}");
        for item in layout(&r) {
            if let Item::Text { y, text, .. } = item {
                assert!(y < PAGE_H - 20.0, "{text} at {y}");
            }
        }
    }
}
