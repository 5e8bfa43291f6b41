//! Running the panels' commands (end of frame), in one place: each goes to its service. I/O
//! goes to workers and jobs, never done here.

use super::CourtsideApp;
use super::reader::ReadRequest;
use crate::model::Command;

impl CourtsideApp {
    /// Run one command.
    pub(super) fn handle(&mut self, c: Command) {
        match c {
            Command::SelectMatch(key) => {
                self.state.table.chosen = key;
                match key {
                    Some(key) => {
                        let generation = self.state.table.reset(Some(key));
                        self.request(ReadRequest::Index { key, generation });
                    }
                    None => {
                        self.state.table.key = None;
                        self.follow_current_match();
                    }
                }
                self.search_again();
            }
            Command::FetchRecords(mut seqs) => {
                seqs.retain(|s| !self.state.table.pending.contains(s));
                if !seqs.is_empty() {
                    self.state.table.pending.extend(seqs.iter().copied());
                    if !self.request(ReadRequest::Records(seqs.clone())) {
                        // Not queued: forget them, the next frame asks again.
                        for s in &seqs {
                            self.state.table.pending.remove(s);
                        }
                    }
                }
            }
            Command::SearchText(_) => self.search_again(),
            Command::Settings(c) => {
                if matches!(c, crate::model::SettingsCommand::Save(_)) {
                    // A typed tournament password or token goes to the keyring, never into
                    // the settings table.
                    let secret = std::mem::take(&mut self.state.draft.tournament.secret);
                    if !secret.is_empty() {
                        let tournament = &mut self.services.tournament;
                        tournament.new_secret(secret, &mut shared!(self));
                    }
                }
                let settings = &mut self.services.settings;
                let support = &mut self.services.support;
                settings.handle(&mut shared!(self), support, c);
            }
            Command::LoadMatches => {
                self.request(ReadRequest::Matches);
            }
            Command::ToggleScoreboard => {
                self.state.prefs.scoreboard_open = !self.state.prefs.scoreboard_open;
            }
            Command::ScoreboardFullscreen(on) => {
                self.state.scoreboard_fullscreen = on;
                self.ctx.send_viewport_cmd_to(
                    crate::model::scoreboard::viewport_id(),
                    egui::ViewportCommand::Fullscreen(on),
                );
            }
            Command::ResetScoreboardPlace => {
                self.state.prefs.scoreboard_open = true;
                self.state.prefs.scoreboard_place = None;
                if let Ok(mut v) = self.board.shared.lock() {
                    v.reset_place = true;
                    v.place = None;
                }
                self.ctx
                    .request_repaint_of(crate::model::scoreboard::viewport_id());
            }
            Command::Copy(text) => self.ctx.copy_text(text),
            Command::Obs(c) => {
                let services = &mut self.services;
                let support = &mut services.support;
                services.obs.handle(
                    c,
                    super::obs_service::ObsDeps {
                        state: &mut self.state,
                        jobs: &mut self.jobs,
                        writer: services.data.writer.as_ref(),
                        unlocked: || support.advanced_unlocked(),
                    },
                );
            }
            Command::Support(c) => self.services.support.handle(&mut shared!(self), c),
            Command::Flags(c) => {
                super::flags_glue::handle(self.services.flags.as_mut(), c, &mut self.state);
            }
            Command::Review(c) => {
                let review = &mut self.services.review;
                review.handle(c, &mut shared!(self));
            }
            Command::Web(crate::model::web::WebCommand::GenerateToken) => {
                let web = &mut self.services.web;
                web.generate_token(&mut shared!(self));
            }
            Command::PickTournamentFile(which) => {
                let tournament = &self.services.tournament;
                tournament.pick_file(which, &mut shared!(self));
            }
            Command::Hub(c) => self.services.hub.handle(c, &mut shared!(self)),
            Command::UnlockListener(i) => self.services.ingest.unlock(&mut shared!(self), i),
        }
    }

    fn search_again(&mut self) {
        let table = &mut self.state.table;
        table.search_generation += 1;
        table.hits = None;
        table.filter_applied = None;
        let text = table.filter.text.trim().to_lowercase();
        if let (false, Some(key)) = (text.is_empty(), table.key) {
            let generation = table.search_generation;
            self.request(ReadRequest::Search {
                key,
                text,
                generation,
            });
        }
    }
}
