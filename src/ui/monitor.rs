//! System monitor and pipeline diagnostics panel: CPU/memory of the machine and of courtside,
//! a plot of the last minutes, warning badges, and the pipeline numbers with the slow-operations
//! list (threshold settable). Draws only.

use crate::model::diagnostics::{DiagnosticsSnapshot, SlowOps};
use crate::sysmon::{SysHistory, SysSample};
use std::time::Duration;

const MIB: f64 = 1024.0 * 1024.0;
const GIB: f64 = MIB * 1024.0;

/// Draw the system monitor (machine + process, plot, badges).
pub fn system_ui(ui: &mut egui::Ui, history: &SysHistory) {
    ui.heading("System");
    let Some(s) = history.latest() else {
        ui.label("Measuring …");
        return;
    };
    badges(ui, s);
    egui::Grid::new("sysmon").num_columns(2).show(ui, |ui| {
        ui.label("CPU (all cores)");
        ui.label(format!("{:.0} %", s.cpu_total));
        ui.end_row();
        ui.label("CPU per core");
        let cores: Vec<String> = s.per_core.iter().map(|c| format!("{c:.0}")).collect();
        ui.label(format!("{} %", cores.join(" · ")));
        ui.end_row();
        ui.label("Memory used");
        ui.label(format!(
            "{:.1} of {:.1} GiB",
            s.mem_used() as f64 / GIB,
            s.mem_total as f64 / GIB
        ));
        ui.end_row();
        ui.label("courtside");
        ui.label(format!(
            "CPU {:.0} % · memory {:.0} MiB",
            s.proc_cpu,
            s.proc_rss as f64 / MIB
        ));
        ui.end_row();
    });
    // Interaction off: the plot must not take the scroll wheel or start animations.
    egui_plot::Plot::new("sysmon_plot")
        .height(140.0)
        .include_y(0.0)
        .include_y(100.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .legend(egui_plot::Legend::default())
        .show(ui, |plot| {
            plot.line(egui_plot::Line::new(
                "CPU %",
                history.points(|s| f64::from(s.cpu_total)),
            ));
            plot.line(egui_plot::Line::new(
                "Memory %",
                history.points(|s| 100.0 * s.mem_used() as f64 / s.mem_total.max(1) as f64),
            ));
            plot.line(egui_plot::Line::new(
                "courtside CPU %",
                history.points(|s| f64::from(s.proc_cpu)),
            ));
        });
}

fn badges(ui: &mut egui::Ui, s: &SysSample) {
    let red = ui.visuals().error_fg_color;
    if s.warnings.cpu_high {
        ui.colored_label(
            red,
            "Warning: CPU above 85 % — close other programs or lower OBS encoding settings",
        );
    }
    if s.warnings.memory_low {
        ui.colored_label(
            red,
            "Warning: memory low — close other programs; OBS and courtside may slow down",
        );
    }
}

/// Draw the pipeline diagnostics and the slow-operations list (its threshold is editable).
pub fn diagnostics_ui(ui: &mut egui::Ui, d: &DiagnosticsSnapshot, slow: &mut SlowOps) {
    ui.heading("Pipeline");
    let us = |v: Option<u64>| v.map_or("—".to_string(), |v| format!("{:.1} ms", v as f64 / 1e3));
    egui::Grid::new("diagnostics")
        .num_columns(2)
        .show(ui, |ui| {
            let rows = [
                ("Datagrams/s", format!("{:.1}", d.datagrams_per_sec)),
                ("Parse errors", d.parse_errors.to_string()),
                ("Writer queue", d.writer_queue_depth.to_string()),
                (
                    "Commit p50 / p99",
                    format!("{} / {}", us(d.commit_p50_micros), us(d.commit_p99_micros)),
                ),
                ("Channel full", d.channel_full.to_string()),
                (
                    "Frame p50 / p99",
                    format!("{} / {}", us(d.frame_p50_micros), us(d.frame_p99_micros)),
                ),
            ];
            for (k, v) in rows {
                ui.label(k);
                ui.label(v);
                ui.end_row();
            }
        });
    ui.separator();
    let mut ms = slow.threshold().as_millis() as u64;
    ui.horizontal(|ui| {
        let l = ui.label("Slow operations above (ms)");
        ui.add(egui::DragValue::new(&mut ms).range(1..=60_000))
            .labelled_by(l.id)
            .on_hover_text("List operations that take longer than this; drag or type to change");
    });
    if ms != slow.threshold().as_millis() as u64 {
        slow.set_threshold(Duration::from_millis(ms));
    }
    if slow.entries().is_empty() {
        ui.label("No slow operations");
    }
    for op in slow.entries() {
        ui.label(format!(
            "{:.1} ms  {}  ({})",
            op.took.as_secs_f64() * 1e3,
            op.what,
            crate::timefmt::rfc3339_utc(op.at_ns)
        ));
    }
}
