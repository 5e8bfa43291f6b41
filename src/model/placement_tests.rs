//! Tests of the scoreboard window's placement (pure: monitors given as data).
use super::*;

/// A 1920 x 1080 laptop screen at the origin (taskbar 40 px) and a projector to its right.
const LAPTOP: MonitorArea = MonitorArea {
    x: 0.0,
    y: 0.0,
    w: 1920.0,
    h: 1040.0,
};
const PROJECTOR: MonitorArea = MonitorArea {
    x: 1920.0,
    y: 0.0,
    w: 1280.0,
    h: 800.0,
};

fn on_projector() -> BoardPlace {
    BoardPlace {
        x: 1920.0,
        y: 0.0,
        w: 1280.0,
        h: 768.0,
        scale: 1.0,
    }
}

fn inside(p: &BoardPlace, m: &MonitorArea) -> bool {
    p.x >= m.x && p.y >= m.y && p.x + p.w <= m.x + m.w && p.y + p.h <= m.y + m.h
}

#[test]
fn a_place_on_a_connected_monitor_is_kept() {
    let p = on_projector();
    assert_eq!(fit_on_monitors(p, &[LAPTOP, PROJECTOR]), p);
}

#[test]
fn an_unplugged_projector_brings_the_scoreboard_onto_the_laptop_screen() {
    let p = fit_on_monitors(on_projector(), &[LAPTOP]);
    assert!(inside(&p, &LAPTOP), "{p:?}");
    assert_eq!((p.w, p.h), (1280.0, 768.0), "size kept: it fits");
}

#[test]
fn a_projector_set_up_left_of_the_laptop_moves_the_window_back_from_the_void() {
    // The projector used to be on the right; now it is on the left, nothing is at x >= 1920.
    let left = MonitorArea {
        x: -1280.0,
        ..PROJECTOR
    };
    let p = fit_on_monitors(on_projector(), &[LAPTOP, left]);
    assert!(inside(&p, &LAPTOP) || inside(&p, &left), "{p:?}");
}

#[test]
fn a_partly_visible_window_is_kept_when_its_title_bar_can_be_grabbed_and_moved_when_not() {
    let mut p = BoardPlace {
        x: 1700.0,
        ..on_projector()
    };
    assert_eq!(
        fit_on_monitors(p, &[LAPTOP]),
        p,
        "220 px of title bar on screen"
    );
    p.x = 1900.0;
    let moved = fit_on_monitors(p, &[LAPTOP]);
    assert!(
        inside(&moved, &LAPTOP),
        "20 px cannot be grabbed: {moved:?}"
    );
    // Title bar above the top edge: the window cannot be dragged at all.
    let above = BoardPlace {
        x: 100.0,
        y: -500.0,
        ..on_projector()
    };
    assert!(inside(&fit_on_monitors(above, &[LAPTOP]), &LAPTOP));
}

#[test]
fn a_window_larger_than_the_remaining_monitor_is_shrunk_to_fit() {
    let big = BoardPlace {
        x: 4000.0,
        w: 3840.0,
        h: 2160.0,
        ..on_projector()
    };
    let p = fit_on_monitors(big, &[LAPTOP]);
    assert!(inside(&p, &LAPTOP), "{p:?}");
    assert_eq!(p.w, 1920.0);
}

#[test]
fn without_monitor_information_the_place_is_kept() {
    let p = BoardPlace {
        x: 9000.0,
        ..on_projector()
    };
    assert_eq!(fit_on_monitors(p, &[]), p);
}

#[test]
fn mixed_scaling_places_the_window_at_its_exact_pixels() {
    // Saved on a 100 % projector; at start the window opened on the 150 % laptop, where
    // Windows converted the saved points at 1.5: 1.5 times too far and too big.
    let target = on_projector();
    let (pos, size) = target.points(1.5);
    assert_eq!(
        (pos.x * 1.5, pos.y * 1.5),
        (target.x, target.y),
        "exact pixels"
    );
    let opened_at = BoardPlace {
        x: 2880.0,
        y: 0.0,
        w: 1920.0,
        h: 1152.0,
        scale: 1.5,
    };
    assert_eq!(
        place_step(target, opened_at, 1.5),
        PlaceStep::Move(pos2(1280.0, 0.0))
    );
    // Moved onto the projector: Windows rescaled it to 100 %; the size is set at that scale.
    let moved = BoardPlace {
        x: 1920.0,
        w: 1280.0 * 1.5,
        h: 768.0 * 1.5,
        scale: 1.0,
        ..opened_at
    };
    assert_eq!(
        place_step(target, moved, 1.0),
        PlaceStep::Resize(vec2(1280.0, 768.0))
    );
    assert_eq!(place_step(target, target, 1.0), PlaceStep::Done);
    assert_eq!(size, vec2(1280.0 / 1.5, 768.0 / 1.5));
}

#[test]
fn the_remembered_place_is_in_pixels_and_nothing_while_fullscreen() {
    let mut info = egui::ViewportInfo {
        outer_rect: Some(egui::Rect::from_min_size(
            pos2(100.0, 50.0),
            vec2(1296.0, 759.0),
        )),
        inner_rect: Some(egui::Rect::from_min_size(
            pos2(108.0, 81.0),
            vec2(1280.0, 720.0),
        )),
        ..Default::default()
    };
    let p = BoardPlace::from_info(&info, 1.5).expect("place");
    assert_eq!(
        p,
        BoardPlace {
            x: 150.0,
            y: 75.0,
            w: 1920.0,
            h: 1080.0,
            scale: 1.5
        }
    );
    info.fullscreen = Some(true);
    assert_eq!(BoardPlace::from_info(&info, 1.5), None);
    info.fullscreen = Some(false);
    info.outer_rect = None;
    assert_eq!(
        BoardPlace::from_info(&info, 1.0),
        None,
        "Wayland: no position"
    );
}

#[test]
fn reset_puts_the_default_size_inside_the_main_window_within_its_monitor() {
    let p = reset_place(pos2(300.0, 200.0), Some(vec2(2880.0, 1800.0)), 1.5);
    assert_eq!((p.x, p.y), (360.0, 260.0));
    assert_eq!((p.w, p.h), (1920.0, 1080.0));
    let small = reset_place(pos2(0.0, 0.0), Some(vec2(1024.0, 768.0)), 1.0);
    assert_eq!(
        (small.w, small.h),
        (819.2, 614.4),
        "80 % of a small monitor"
    );
    let unknown = reset_place(pos2(0.0, 0.0), None, 1.0);
    assert_eq!((unknown.w, unknown.h), (1280.0, 720.0));
}
