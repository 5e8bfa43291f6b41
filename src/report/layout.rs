//! The report page as drawing primitives in PDF points (A4 portrait, origin top-left, y down).

use super::MatchReport;
use crate::protocol::Athlete;

/// Page width, points (A4).
pub const PAGE_W: f32 = 595.0;
/// Page height, points (A4).
pub const PAGE_H: f32 = 842.0;
pub(super) const MARGIN: f32 = 48.0;

/// An sRGB colour.
pub type Rgb = [u8; 3];
/// Blue corner colour.
pub const BLUE: Rgb = [0x1f, 0x4e, 0xd8];
/// Red corner colour.
pub const RED: Rgb = [0xd8, 0x1f, 0x2a];
pub(super) const INK: Rgb = [0x20, 0x20, 0x20];
pub(super) const GREY: Rgb = [0x80, 0x80, 0x80];
const RULE: Rgb = [0xd0, 0xd0, 0xd0];

/// Horizontal anchor of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// `x` is the left edge.
    Left,
    /// `x` is the centre.
    Center,
    /// `x` is the right edge.
    Right,
}

/// One drawing primitive.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A line of text; `y` is the baseline.
    Text {
        /// Anchor x.
        x: f32,
        /// Baseline y.
        y: f32,
        /// Font size, points.
        size: f32,
        /// Colour.
        color: Rgb,
        /// How `x` anchors it.
        anchor: Anchor,
        /// The text.
        text: String,
    },
    /// A filled rectangle.
    Rect {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Colour.
        color: Rgb,
    },
    /// An athlete's flag, scaled into the box.
    Flag {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Whose flag (`report.side(athlete).flag`).
        athlete: Athlete,
    },
}

impl Item {
    /// Left edge of a text given its width.
    pub fn text_left(x: f32, anchor: Anchor, width: f32) -> f32 {
        match anchor {
            Anchor::Left => x,
            Anchor::Center => x - width / 2.0,
            Anchor::Right => x - width,
        }
    }
}

/// The page being laid out (sections in other files of `report` add to it).
pub(super) struct Page {
    items: Vec<Item>,
}

impl Page {
    pub(super) fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        color: Rgb,
        anchor: Anchor,
        text: &str,
    ) {
        self.items.push(Item::Text {
            x,
            y,
            size,
            color,
            anchor,
            text: text.to_string(),
        });
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: Rgb) {
        self.items.push(Item::Rect { x, y, w, h, color });
    }

    pub(super) fn heading(&mut self, y: f32, title: &str) -> f32 {
        self.text(MARGIN, y, 12.0, INK, Anchor::Left, title);
        self.rect(MARGIN, y + 4.0, PAGE_W - 2.0 * MARGIN, 0.8, RULE);
        y + 20.0
    }
}

/// Lay out the report page.
pub fn layout(report: &MatchReport) -> Vec<Item> {
    let mut p = Page { items: Vec::new() };
    let mut y = header(&mut p, report);
    y = rounds(&mut p, report, y + 16.0);
    y = super::round_stats::section(&mut p, report, y + 16.0);
    y = points(&mut p, report, y + 16.0);
    y = hits(&mut p, report, y + 16.0);
    challenges(&mut p, report, y + 16.0);
    let footer = format!(
        "courtside · match key {} · {} to {}",
        report.key,
        crate::timefmt::rfc3339_utc(report.started_at_ns),
        crate::timefmt::rfc3339_utc(report.last_event_at_ns)
    );
    p.text(MARGIN, PAGE_H - 28.0, 7.0, GREY, Anchor::Left, &footer);
    p.items
}

fn header(p: &mut Page, r: &MatchReport) -> f32 {
    let title = format!("Match {} · {}", r.number, r.weight);
    p.text(MARGIN, 64.0, 20.0, INK, Anchor::Left, title.trim());
    let sub = [r.phase.as_str(), r.division.as_str(), r.court.as_str()]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ");
    p.text(MARGIN, 82.0, 10.0, GREY, Anchor::Left, &sub);
    let box_w = (PAGE_W - 2.0 * MARGIN - 16.0) / 2.0;
    for (i, a) in [Athlete::Blue, Athlete::Red].into_iter().enumerate() {
        let s = r.side(a);
        let x = MARGIN + i as f32 * (box_w + 16.0);
        let color = if a == Athlete::Blue { BLUE } else { RED };
        p.rect(x, 96.0, box_w, 70.0, color);
        let white = [255, 255, 255];
        p.text(x + 10.0, 118.0, 13.0, white, Anchor::Left, &s.name);
        // The flag (16 pt tall, thin white frame) goes before the country code.
        let mut country_x = x + 10.0;
        if let Some(f) = &s.flag {
            let h = 16.0;
            let w = h * f.width as f32 / f.height.max(1) as f32;
            p.rect(x + 9.0, 125.0, w + 2.0, h + 2.0, white);
            p.items.push(Item::Flag {
                x: x + 10.0,
                y: 126.0,
                w,
                h,
                athlete: a,
            });
            country_x += w + 6.0;
        }
        p.text(country_x, 138.0, 10.0, white, Anchor::Left, &s.country);
        let gj = format!("Gam-jeom {}", s.penalties);
        p.text(x + 10.0, 156.0, 9.0, white, Anchor::Left, &gj);
        p.text(
            x + box_w - 10.0,
            152.0,
            36.0,
            white,
            Anchor::Right,
            &s.score.to_string(),
        );
    }
    let winner = match r.winner {
        Some(a) => {
            let s = r.side(a);
            let mut t = format!("Winner: {} ({}) — {}", s.name, s.country, a.name());
            if let Some(d) = &r.decision {
                t.push_str(&format!(" · {d}"));
            }
            t
        }
        None if r.tie => match &r.decision {
            Some(d) => format!("Tie — no winner · {d}"),
            None => "Tie — no winner".to_string(),
        },
        None => "No winner declared".to_string(),
    };
    p.text(PAGE_W / 2.0, 190.0, 12.0, INK, Anchor::Center, &winner);
    196.0
}

fn rounds(p: &mut Page, r: &MatchReport, y: f32) -> f32 {
    let mut y = p.heading(y, "Rounds");
    let cols = [MARGIN + 160.0, MARGIN + 240.0, MARGIN + 330.0];
    p.text(cols[0], y, 9.0, BLUE, Anchor::Right, "Blue");
    p.text(cols[1], y, 9.0, RED, Anchor::Right, "Red");
    p.text(cols[2], y, 9.0, GREY, Anchor::Right, "Round won by");
    y += 14.0;
    for round in 0..3 {
        let won = match r.round_winners[round] {
            1 => "blue",
            2 => "red",
            _ => "—",
        };
        p.text(
            MARGIN,
            y,
            10.0,
            INK,
            Anchor::Left,
            &format!("Round {}", round + 1),
        );
        let b = r.blue.round_scores[round].to_string();
        let rd = r.red.round_scores[round].to_string();
        p.text(cols[0], y, 10.0, INK, Anchor::Right, &b);
        p.text(cols[1], y, 10.0, INK, Anchor::Right, &rd);
        p.text(cols[2], y, 10.0, INK, Anchor::Right, won);
        y += 14.0;
    }
    y
}

fn points(p: &mut Page, r: &MatchReport, y: f32) -> f32 {
    let mut y = p.heading(y, "Points by type");
    let rows = |s: &super::SideReport| {
        let c = s.points;
        [
            ("Punch", c.punch),
            ("Body kick", c.body),
            ("Head kick", c.head),
            ("Turning body kick", c.tech_body),
            ("Turning head kick", c.tech_head),
        ]
    };
    let (blue, red) = (rows(&r.blue), rows(&r.red));
    let max = blue
        .iter()
        .chain(&red)
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
        .max(1);
    let bar_x = MARGIN + 120.0;
    let unit = (PAGE_W - MARGIN - bar_x - 30.0) / max as f32;
    for ((label, b), (_, rd)) in blue.iter().zip(&red) {
        p.text(MARGIN, y + 8.0, 9.0, INK, Anchor::Left, label);
        for (row, (n, color)) in [(*b, BLUE), (*rd, RED)].into_iter().enumerate() {
            let top = y + row as f32 * 7.0;
            if n > 0 {
                p.rect(bar_x, top, n as f32 * unit, 6.0, color);
            }
            let tx = bar_x + n as f32 * unit + 4.0;
            p.text(tx, top + 6.0, 6.5, color, Anchor::Left, &n.to_string());
        }
        y += 18.0;
    }
    y
}

fn hits(p: &mut Page, r: &MatchReport, y: f32) -> f32 {
    let y = p.heading(y, &format!("Hit levels ({} hits)", r.hits.len()));
    // 96 pt tall (was 120) leaves room for the round statistics section on one page.
    let (x0, w, h) = (MARGIN + 24.0, PAGE_W - 2.0 * MARGIN - 24.0, 96.0);
    let base = y + h;
    for level in [0u32, 50, 100] {
        let ly = base - h * level as f32 / 100.0;
        p.rect(x0, ly, w, 0.5, RULE);
        p.text(
            x0 - 4.0,
            ly + 3.0,
            7.0,
            GREY,
            Anchor::Right,
            &level.to_string(),
        );
    }
    if !r.hits.is_empty() {
        let slot = w / r.hits.len() as f32;
        let bar = (slot * 0.7).clamp(0.5, 12.0);
        for (i, hit) in r.hits.iter().enumerate() {
            let level = hit.level.min(100) as f32;
            let bh = h * level / 100.0;
            let color = if hit.athlete == Athlete::Blue {
                BLUE
            } else {
                RED
            };
            p.rect(x0 + i as f32 * slot, base - bh, bar, bh, color);
        }
    }
    base + 12.0
}

fn challenges(p: &mut Page, r: &MatchReport, y: f32) {
    let mut y = p.heading(y, "Challenges");
    if r.challenges.is_empty() {
        p.text(MARGIN, y, 10.0, GREY, Anchor::Left, "None");
    }
    // As many as fit above the footer; the rest are counted.
    let fit = ((PAGE_H - 44.0 - y) / 14.0).max(1.0) as usize;
    let shown = if r.challenges.len() > fit {
        fit - 1
    } else {
        fit
    };
    for c in r.challenges.iter().take(shown) {
        let color = match c.by.as_str() {
            "blue" => BLUE,
            "red" => RED,
            _ => INK,
        };
        let line = format!("Round {} · {} · {}", c.round, c.by, c.outcome);
        p.text(MARGIN, y, 10.0, color, Anchor::Left, &line);
        y += 14.0;
    }
    if r.challenges.len() > shown {
        let more = format!("… and {} more", r.challenges.len() - shown);
        p.text(MARGIN, y, 10.0, GREY, Anchor::Left, &more);
    }
}
