//! Windows: the monitor nearest a saved scoreboard place, asked from the system (egui tells the
//! app only the size of the monitor a window is already on). Checked against windows-sys
//! 0.61.2's source (feature Win32_Graphics_Gdi) and Microsoft's documentation. Not compiled on
//! Linux: keep it small.

use crate::model::placement::{BoardPlace, MonitorArea};
use windows_sys::Win32::Foundation::RECT;
use windows_sys::Win32::Graphics::Gdi::{
    GetMonitorInfoW, MONITOR_DEFAULTTONEAREST, MONITORINFO, MonitorFromRect,
};

/// The work area (without the taskbar) of the monitor that `p` overlaps most, or of the nearest
/// one when it overlaps none (MONITOR_DEFAULTTONEAREST), in physical virtual-desktop pixels:
/// winit makes the process per-monitor DPI aware, so Windows answers in physical pixels, the
/// unit of `BoardPlace`. Empty if Windows cannot say.
pub fn monitors_near(p: &BoardPlace) -> Vec<MonitorArea> {
    let rect = RECT {
        left: p.x as i32,
        top: p.y as i32,
        right: (p.x + p.w) as i32,
        bottom: (p.y + p.h) as i32,
    };
    let mut info = MONITORINFO {
        cbSize: std::mem::size_of::<MONITORINFO>() as u32,
        ..Default::default()
    };
    // SAFETY: `rect` and `info` are locals that outlive the calls; cbSize is set as
    // GetMonitorInfoW requires; MonitorFromRect with DEFAULTTONEAREST never returns null for a
    // session with a display, and a null monitor makes GetMonitorInfoW fail (checked).
    let ok = unsafe {
        let monitor = MonitorFromRect(&rect, MONITOR_DEFAULTTONEAREST);
        !monitor.is_null() && GetMonitorInfoW(monitor, &mut info) != 0
    };
    if !ok {
        return Vec::new();
    }
    let w = info.rcWork;
    vec![MonitorArea {
        x: w.left as f32,
        y: w.top as f32,
        w: (w.right - w.left) as f32,
        h: (w.bottom - w.top) as f32,
    }]
}
