//! The event table's match selector: every stored match is choosable, but only the entries in
//! view are laid out (a store used all season holds thousands of matches).

use courtside::model::AppState;
use courtside::model::state::Command;
use courtside::store::MatchRecord;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[test]
fn the_match_selector_lays_out_only_the_entries_in_view_and_selects() {
    let mut s = AppState::default();
    for n in (1..=3000u64).rev() {
        let mut m = MatchRecord::start_at(n, "Court 1", 0);
        m.state.info.number = format!("M{n}");
        s.match_list.push(m);
    }
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .with_context_setup(courtside::ui::theme::install_fonts)
        .build_ui_state(
            |ui, s: &mut AppState| courtside::ui::event_table::event_table_ui(ui, s),
            s,
        );
    h.run();
    h.get_by_role_and_label(
        egui::accesskit::Role::ComboBox,
        "The current match, or any earlier match in the store",
    )
    .click();
    h.run();
    let listed = |h: &Harness<'_, AppState>, n: u64| {
        h.query_all_by_label_contains(&format!("#M{n} "))
            .any(|_| true)
    };
    assert!(listed(&h, 3000), "newest match in the open list");
    let laid_out = (1..=3000).filter(|n| listed(&h, *n)).count();
    assert!(laid_out < 40, "{laid_out} of 3000 entries laid out");
    h.query_all_by_label_contains("#M2999 ")
        .next()
        .expect("entry")
        .click();
    h.run();
    assert!(
        h.state()
            .commands
            .contains(&Command::SelectMatch(Some(2999)))
    );
}
