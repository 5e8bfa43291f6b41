//! Panel tests with egui_kittest: the panels draw `AppState` and emit commands.

use courtside::model::AppState;
use courtside::model::state::Command;
use courtside::model::table_model::{AthleteFilter, RowBuilder, RowKind};
use courtside::protocol::parse_datagram;
use courtside::store::EventRecord;
use courtside::stream_file;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use std::sync::Arc;

fn example_records() -> Vec<Arc<EventRecord>> {
    let file = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/example-match.pss"
    ))
    .expect("example stream");
    stream_file::datagrams(&file)
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            Arc::new(EventRecord {
                seq: i as u64 + 1,
                received_at_ns: 1_700_000_000_000_000_000 + i as i64 * 1_000_000,
                source: "127.0.0.1:5000".into(),
                court: "Court 1".into(),
                events: parse_datagram(&l.bytes),
                raw: l.bytes,
                match_key: 1,
            })
        })
        .collect()
}

/// A state whose table shows the example match, every record cached.
fn table_state() -> AppState {
    let mut s = AppState::default();
    s.table.key = Some(1);
    let mut b = RowBuilder::default();
    for r in example_records() {
        b.push(&r, &mut s.table.rows);
        s.table.cache.insert(r);
    }
    s
}

fn shown_label(s: &AppState) -> String {
    format!(
        "{} of {} events shown",
        s.table.visible_len(),
        s.table.rows.len()
    )
}

fn table_harness(state: AppState) -> Harness<'static, AppState> {
    Harness::builder()
        .with_size([1400.0, 900.0])
        .with_context_setup(courtside::ui::theme::install_fonts)
        .build_ui_state(
            |ui, s: &mut AppState| {
                // App::logic refilters before every frame; the panel only draws.
                s.table.refilter();
                courtside::ui::event_table::event_table_ui(ui, s);
            },
            state,
        )
}

#[test]
fn table_shows_every_event_of_the_match_with_labels() {
    let mut h = table_harness(table_state());
    h.run();
    let total = h.state().table.rows.len();
    assert!(total > 49, "paired datagrams give one row per event");
    assert_eq!(h.state().table.visible_len(), total);
    h.get_by_label(&shown_label(h.state()));
    // Following the newest event: the last rows are on screen with their human labels.
    h.get_by_label("Winner Kenji TANAKA (2-1 PTF)");
    h.get_by_label("Match winner blue");
    assert!(
        h.query_by_label("Fight loaded").is_none(),
        "virtualised: first rows not drawn"
    );
    // Not following: the view starts at the first rows.
    let mut s = table_state();
    s.table.follow = false;
    let mut h = table_harness(s);
    h.run();
    h.get_by_label("Fight loaded");
    h.get_by_label("Athlete Kenji TANAKA (JPN)");
    assert!(h.query_by_label("Match winner blue").is_none());
}

#[test]
fn kind_filter_hides_clock_rows() {
    let mut h = table_harness(table_state());
    h.run();
    let before = h.state().table.visible_len();
    let clock_rows = h
        .state()
        .table
        .rows
        .iter()
        .filter(|r| r.kind() == RowKind::Clock)
        .count();
    assert!(clock_rows > 10);
    h.get_by_role_and_label(Role::CheckBox, "Clock").click();
    h.run();
    assert_eq!(h.state().table.visible_len(), before - clock_rows);
    h.get_by_label(&shown_label(h.state()));
}

#[test]
fn athlete_and_round_filters_narrow_the_rows() {
    let mut h = table_harness(table_state());
    h.run();
    h.state_mut().table.filter.athlete = AthleteFilter::Red;
    h.run();
    let red: Vec<_> = h.state().table.visible_indices();
    assert!(!red.is_empty());
    for i in &red {
        assert_eq!(h.state().table.rows.get(*i as usize).unwrap().athlete(), 2);
    }
    h.state_mut().table.filter.round = Some(2);
    h.run();
    let red_r2 = h.state().table.visible_len();
    assert!(red_r2 < red.len() && red_r2 > 0);
    // Only penalties of red: the `wg2` rows.
    h.state_mut().table.filter.round = None;
    h.state_mut().table.filter.kinds = RowKind::Penalty.bit();
    h.run();
    assert_eq!(h.state().table.visible_len(), 2, "wg2;0 and wg2;1");
}

#[test]
fn rows_on_screen_without_records_are_fetched_by_sequence() {
    // No record cached: the table asks for exactly the datagrams of the rows it shows (not
    // the whole range between them, which on a filtered million-event match could be most of
    // the match).
    let mut s = AppState::default();
    s.table.key = Some(1);
    let mut b = RowBuilder::default();
    for r in example_records() {
        b.push(&r, &mut s.table.rows);
    }
    s.table.filter.kinds = RowKind::Penalty.bit();
    let mut h = table_harness(s);
    h.run_steps(2);
    let want: Vec<u64> = {
        let t = &h.state().table;
        let mut v: Vec<u64> = (0..t.visible_len())
            .filter_map(|i| t.visible_row(i))
            .map(|r| r.seq(1))
            .collect();
        v.dedup();
        v
    };
    assert!(want.len() >= 2 && want.windows(2).any(|w| w[1] > w[0] + 1));
    let asked: Vec<Vec<u64>> = h
        .state()
        .commands
        .iter()
        .filter_map(|c| match c {
            Command::FetchRecords(seqs) => Some(seqs.clone()),
            _ => None,
        })
        .collect();
    assert!(!asked.is_empty(), "uncached rows are fetched");
    assert!(asked.iter().all(|a| *a == want), "{asked:?} vs {want:?}");
}

/// The match panel alone, `width` wide.
fn match_panel_harness(state: AppState, width: f32) -> Harness<'static, AppState> {
    Harness::builder()
        .with_size([width, 700.0])
        .with_context_setup(courtside::ui::theme::install_fonts)
        .build_ui_state(
            |ui, s: &mut AppState| courtside::ui::match_panel::match_panel_ui(ui, s),
            state,
        )
}

#[test]
fn match_history_lays_out_only_the_rows_on_screen() {
    let mut s = AppState::default();
    for n in (1..=400u64).rev() {
        let mut m = courtside::store::MatchRecord::start_at(n, "Court 1", 0);
        m.state.info.number = n.to_string();
        m.state.blue.short_name = format!("BLUE{n}");
        m.state.blue.country = "KOR".into();
        s.match_list.push(m);
    }
    let mut h = match_panel_harness(s, 260.0);
    h.run();
    let shown = |h: &Harness<'_, AppState>, n: u64| {
        h.query_all_by_label_contains(&format!("BLUE{n} (KOR)"))
            .any(|_| true)
    };
    assert!(shown(&h, 400), "newest match listed");
    assert!(
        !shown(&h, 1),
        "the oldest is not laid out until scrolled to"
    );
    let listed = (1..=400).filter(|n| shown(&h, *n)).count();
    assert!(listed < 40, "{listed} of 400 history rows laid out");
    // Rows are one line each (the virtualised list assumes a fixed row height; a wrapped title
    // would push the last matches out of reach).
    let row = h
        .query_all_by_label_contains("BLUE400 (KOR)")
        .next()
        .expect("row")
        .rect();
    assert!(row.height() < 30.0, "{row:?}");
    // Clicking a row still selects that match.
    h.query_all_by_label_contains("BLUE399 (KOR)")
        .next()
        .expect("row")
        .click();
    h.run();
    assert!(
        h.state()
            .commands
            .contains(&Command::SelectMatch(Some(399)))
    );
}

#[test]
fn match_history_shows_the_live_score_of_a_courts_current_match() {
    // The list is loaded when a match starts, so its stored state says 0:0; the court's live
    // state has moved on.
    let mut s = AppState::default();
    let mut m = courtside::store::MatchRecord::start_at(7, "Court 1", 0);
    m.state.info.number = "7".into();
    m.state.blue.short_name = "A. KIM".into();
    m.state.blue.country = "KOR".into();
    let mut live = m.state.clone();
    live.blue.score = 9;
    live.red.score = 4;
    let mut old = courtside::store::MatchRecord::start_at(3, "Court 1", 0);
    old.state = live.clone();
    old.state.info.number = "3".into();
    old.state.blue.score = 1;
    s.match_list = vec![m, old];
    s.court_keys.insert("Court 1".into(), 7);
    s.courts.insert("Court 1".into(), live);
    let mut h = match_panel_harness(s, 900.0);
    h.run();
    let row = |start: &str, score: &str| {
        h.query_all_by(|x| {
            x.label()
                .is_some_and(|l| l.starts_with(start) && l.contains(score))
        })
        .next()
        .is_some()
    };
    assert!(
        row("#7 ", " 9:4 "),
        "the current match shows its live score"
    );
    assert!(!row("#7 ", " 0:0 "));
    assert!(row("#3 ", " 1:4 "), "an ended match keeps its stored state");
}

#[test]
fn text_search_uses_hits_and_shows_progress_until_they_arrive() {
    let mut h = table_harness(table_state());
    h.run();
    h.state_mut().table.filter.text = "head".into();
    // The spinner animates while searching, so step instead of waiting to settle.
    h.run_steps(3);
    assert!(h.state().table.searching());
    assert_eq!(
        h.state().table.visible_len(),
        0,
        "nothing until the search answers"
    );
    h.get_by_label("searching…");
}

#[test]
fn live_data_pause_freezes_the_view_and_copy_copies_what_is_shown() {
    let mut s = AppState::default();
    for r in example_records() {
        s.live.push(r);
    }
    let mut h = Harness::builder()
        .with_size([1400.0, 600.0])
        .with_context_setup(courtside::ui::theme::install_fonts)
        .build_ui_state(
            |ui, s: &mut AppState| {
                courtside::ui::live_data::live_data_ui(ui, &mut s.live, &mut s.commands)
            },
            s,
        );
    h.run();
    h.get_by_label("49 datagrams");
    h.get_by_label("Pause").click();
    h.run();
    assert_eq!(h.state().live.paused_at, Some(49));
    let extra = example_records().remove(0);
    h.state_mut().live.push(extra);
    h.run();
    h.get_by_label("1 new while paused");
    h.get_by_label("49 datagrams");
    // Search narrows, copy takes exactly the lines shown.
    h.state_mut().live.search = "wg1".into();
    h.run();
    h.get_by_label("Copy").click();
    h.run();
    let copied = h
        .state()
        .commands
        .iter()
        .find_map(|c| match c {
            Command::Copy(t) => Some(t.clone()),
            _ => None,
        })
        .expect("copy command");
    assert_eq!(
        copied.lines().count(),
        2,
        "two wg1 datagrams in the example"
    );
    assert!(copied.lines().all(|l| l.contains("wg1")));
}

#[test]
fn malformed_datagrams_show_their_reason_in_the_live_log() {
    let mut s = AppState::default();
    s.live.push(Arc::new(EventRecord {
        seq: 1,
        received_at_ns: 0,
        source: "10.0.0.9:1".into(),
        court: "Court 1".into(),
        raw: b"pt1;9;\xff\r\n".to_vec(),
        events: parse_datagram(b"pt1;9;\xff\r\n"),
        match_key: 1,
    }));
    let mut h = Harness::builder()
        .with_size([1400.0, 400.0])
        .with_context_setup(courtside::ui::theme::install_fonts)
        .build_ui_state(
            |ui, s: &mut AppState| {
                courtside::ui::live_data::live_data_ui(ui, &mut s.live, &mut s.commands)
            },
            s,
        );
    h.run();
    h.get_by_label_contains("malformed pt1: point type must be 1–5, got 9");
}

#[test]
fn athletes_names_in_latin_cyrillic_greek_render_with_the_embedded_font() {
    // kittest panics on a glyph the fonts lack, so this fails if a name would show as tofu.
    let mut s = AppState::default();
    let mut st = courtside::match_state::MatchState::new();
    for line in [
        "pre;FightLoaded;",
        "at1;J. MÜLLER;Jonas Müller;GER;at2;A. ÓLAFSDÓTTIR;Anna Ólafsdóttir;ISL;",
    ] {
        for e in parse_datagram(line.as_bytes()) {
            st.apply(&e);
        }
    }
    s.courts.insert("Court 1".into(), st.clone());
    for (blue, red) in [
        ("Łukasz Nowak", "Иван Иванов"),
        ("Γιώργος Παπαδόπουλος", "Ærøskøbing Ōno"),
    ] {
        st.blue.long_name = blue.into();
        st.red.long_name = red.into();
        s.courts.insert(format!("{blue} court"), st.clone());
    }
    let mut h = Harness::builder()
        .with_size([500.0, 1400.0])
        .with_context_setup(courtside::ui::theme::install_fonts)
        .build_ui_state(
            |ui, s: &mut AppState| {
                for (court, st) in &s.courts {
                    ui.label(court);
                    courtside::ui::match_panel::state_ui(ui, st, None);
                }
            },
            s,
        );
    h.run();
    let names = [
        "Jonas Müller",
        "Anna Ólafsdóttir",
        "Łukasz Nowak",
        "Иван Иванов",
        "Γιώργος Παπαδόπουλος",
    ];
    for name in names {
        h.get_by_label(name);
    }
    // egui's own fonts also cover these names, so the labels alone cannot tell whether
    // courtside's font is used: its Noto Sans must come first, and its own data (parsed by
    // egui's font loader, which lists the fonts that have each character) must have every
    // letter.
    let first = h.ctx.fonts(|f| {
        f.definitions()
            .families
            .get(&egui::FontFamily::Proportional)
            .and_then(|fam| fam.first().cloned())
    });
    assert_eq!(first.as_deref(), Some("noto"));
    let chars = h
        .ctx
        .fonts_mut(|f| f.characters(&egui::FontFamily::Proportional).clone());
    for c in names.concat().chars().filter(|c| !c.is_whitespace()) {
        let fonts = chars.get(&c).map(Vec::as_slice).unwrap_or_default();
        assert!(
            fonts.iter().any(|f| f == "noto"),
            "Noto Sans lacks {c:?} (only in {fonts:?})"
        );
    }
}
