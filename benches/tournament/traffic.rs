//! What a court's scoring system sends over a session, as a timeline: a match-load burst (`pre`
//! up to `rdy`, as TkStrike sends it) at the start of each match, a clock datagram a second
//! during rounds and breaks, hits, points and penalties at a match's pace, the result, then a
//! pause before the next match. Deterministic per court (its own seed and clock phase), so a run
//! is repeatable and the courts are not in lock step.

use crate::traffic::{match_load_burst, tkstrike};

/// Round and break lengths of a senior match (WT: 3 × 2 min, 1 min breaks).
const ROUND_S: u64 = 120;
const BREAK_S: u64 = 60;
/// Between one match's result and the next match's load.
const BETWEEN_MATCHES_S: u64 = 30;

/// One datagram of a court's timeline: when (ms after the session start) and its bytes.
pub struct Timed {
    pub at_ms: u64,
    pub bytes: Vec<u8>,
}

/// xorshift64*: a small deterministic generator (the timeline is data, not a security matter).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// True with probability `1 / n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Scores of the match being played.
#[derive(Default)]
struct Score {
    /// Per round, blue and red.
    rounds: [[u32; 2]; 3],
    /// Penalties (gam-jeom), blue and red.
    penalties: [u32; 2],
}

impl Score {
    fn total(&self, side: usize) -> u32 {
        self.rounds.iter().map(|r| r[side]).sum::<u32>() + self.penalties[1 - side]
    }

    fn rounds_line(&self) -> String {
        let r = &self.rounds;
        format!(
            "s11;{};s21;{};s12;{};s22;{};s13;{};s23;{};",
            r[0][0], r[0][1], r[1][0], r[1][1], r[2][0], r[2][1]
        )
    }

    fn total_line(&self) -> String {
        format!("sc1;{};sc2;{};", self.total(0), self.total(1))
    }
}

/// A court's session of `horizon_ms`: matches one after the other from the start.
pub fn court_timeline(court: usize, horizon_ms: u64) -> Vec<Timed> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ ((court as u64 + 1) << 17));
    // Each court's clock ticks at its own phase within the second.
    let phase = rng.below(1000);
    let mut out = Vec::new();
    let mut start_s = 0;
    let mut number = 100 + court as u64 * 40;
    while start_s * 1000 < horizon_ms {
        start_s = one_match(&mut out, &mut rng, start_s, phase, number);
        number += 1;
    }
    out.retain(|t| t.at_ms < horizon_ms);
    out
}

/// Append one match starting at `start_s`; returns when the next one starts.
fn one_match(out: &mut Vec<Timed>, rng: &mut Rng, start_s: u64, phase: u64, number: u64) -> u64 {
    let mut push = |at_ms: u64, spec: String| {
        out.push(Timed {
            at_ms,
            bytes: tkstrike(spec.as_bytes()),
        })
    };
    let load_ms = start_s * 1000 + phase;
    for d in match_load_burst() {
        let text = String::from_utf8_lossy(&d).trim_end().to_string();
        let spec = if text.starts_with("mch;") {
            format!(
                "mch;{number};Round of 16;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1;"
            )
        } else {
            format!("{text};")
        };
        push(load_ms, spec);
    }
    let mut score = Score::default();
    // The referee starts the first round a few seconds after the load.
    let mut t = start_s + 5;
    for round in 0..3 {
        push(t * 1000 + phase, format!("rnd;{};", round + 1));
        push(t * 1000 + phase, "clk;2:00;start;".into());
        for k in 1..=ROUND_S {
            let at = (t + k) * 1000 + phase;
            let left = ROUND_S - k;
            let stop = if left == 0 { "stopEnd;" } else { "" };
            push(at, format!("clk;{}:{:02};{stop}", left / 60, left % 60));
            // Within the second: a hit (every ~8 s), a point (every ~20 s), a penalty (~90 s).
            let within = at + 200 + rng.below(600);
            let side = rng.below(2) as usize;
            if rng.one_in(8) {
                push(within, format!("hl{};{};", side + 1, 40 + rng.below(60)));
            }
            if rng.one_in(20) {
                let points = [1, 2, 3][rng.below(3) as usize];
                score.rounds[round][side] += points;
                push(within, format!("pt{};{points};", side + 1));
                push(within, score.rounds_line());
                push(within, score.total_line());
            }
            if rng.one_in(90) {
                score.penalties[side] += 1;
                let p = &score.penalties;
                push(within, format!("wg1;{};wg2;{};", p[0], p[1]));
                push(within, score.total_line());
            }
        }
        t += ROUND_S;
        let winners: Vec<String> = (0..3)
            .map(|r| {
                let [b, red] = score.rounds[r];
                let w = if r > round || b == red {
                    0
                } else if b > red {
                    1
                } else {
                    2
                };
                format!("rd{};{w};", r + 1)
            })
            .collect();
        push(t * 1000 + phase, format!("wrd;{}", winners.concat()));
        if round < 2 {
            for k in 1..=BREAK_S {
                let left = BREAK_S - k;
                let stop = if left == 0 { "stopEnd;" } else { "" };
                push((t + k) * 1000 + phase, format!("brk;0:{left:02};{stop}"));
            }
            t += BREAK_S;
        }
    }
    let winner = if score.total(0) >= score.total(1) {
        "BLUE"
    } else {
        "RED"
    };
    push(t * 1000 + phase, format!("win;{winner};"));
    push(
        t * 1000 + phase,
        format!("wmh;{winner};{}-{} PTF;", score.total(0), score.total(1)),
    );
    t + BETWEEN_MATCHES_S
}

/// Every court's datagrams between `from_ms` and `to_ms` of the session, merged in time order:
/// (at ms, court index, bytes).
pub fn merged(timelines: &[Vec<Timed>], from_ms: u64, to_ms: u64) -> Vec<(u64, usize, &[u8])> {
    let mut all: Vec<(u64, usize, &[u8])> = timelines
        .iter()
        .enumerate()
        .flat_map(|(c, tl)| {
            tl.iter()
                .filter(|t| t.at_ms >= from_ms && t.at_ms < to_ms)
                .map(move |t| (t.at_ms, c, t.bytes.as_slice()))
        })
        .collect();
    // Stable: a court's datagrams of the same instant stay in their order.
    all.sort_by_key(|(at, _, _)| *at);
    all
}
