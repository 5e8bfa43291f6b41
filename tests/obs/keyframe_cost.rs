//! What all-intra recording costs (issue 15): a real OBS under Xvfb records the same moving scene
//! (a 1280×720, 30 fps clip of ffmpeg's `testsrc2`, looping in a media source) for 20 s with a
//! keyframe every 15 frames (0.5 s, the default set-up) and then with every frame a keyframe, both
//! set by the review service's keyframe set-up. Prints file bytes per second (ffprobe) and OBS's
//! CPU use while recording (/proc), and the ratios against the 0.5 s baseline of the same run.
//! Ignored (a measurement, no timed assertion):
//! `cargo test --test obs keyframe_cost -- --ignored --nocapture`.

#![cfg(target_os = "linux")]

use crate::obs_process::{ObsProcess, SCENES};
use crate::obs_ui::runtime;
use crate::review_support::{Review, call, direct, wait_active};
use courtside::obs::review::ReviewLink;
use courtside::obs::review_setup::KeyframePolicy;
use courtside::review::ReviewRequest;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long each recording runs.
const RECORD_FOR: Duration = Duration::from_secs(20);

/// One recording's cost.
#[derive(Debug)]
struct Cost {
    bytes_per_s: f64,
    cpu_percent: f64,
}

/// CPU time (user + system) of `pid` so far, in clock ticks (/proc/<pid>/stat fields 14, 15).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc stat");
    // The command name (field 2) may hold spaces: count fields after its closing ')'.
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    f[11].parse::<u64>().expect("utime") + f[12].parse::<u64>().expect("stime")
}

fn ticks_per_second() -> f64 {
    let out = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .expect("getconf");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("CLK_TCK")
}

/// Duration (s) and size (bytes) of a media file, by ffprobe.
fn probe(path: &Path) -> (f64, f64) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration,size"])
        .args(["-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let mut parts = text.trim().split(',');
    let duration = parts.next().and_then(|d| d.parse().ok()).expect("duration");
    let size = parts.next().and_then(|s| s.parse().ok()).expect("size");
    (duration, size)
}

fn probe_ok(path: &Path) -> bool {
    Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(path)
        .output()
        .is_ok_and(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<f64>()
                .is_ok()
        })
}

/// A 10 s moving test clip (ffmpeg's testsrc2) at the canvas' size and rate.
fn test_clip(dir: &Path) -> PathBuf {
    let clip = dir.join("testsrc2.mkv");
    let ok = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=1280x720:rate=30")
        .args([
            "-t",
            "10",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-qp",
            "18",
        ])
        .arg(&clip)
        .status()
        .expect("ffmpeg");
    assert!(ok.success(), "test clip");
    clip
}

/// The newest file in `dir`.
fn newest(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .expect("record folder")
        .filter_map(|e| e.ok())
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .expect("a recording")
        .path()
}

/// Record for [`RECORD_FOR`] into `dir`; the recording's cost.
fn record(rt: &tokio::runtime::Runtime, link: &ReviewLink, dir: &Path, pid: u32, tck: f64) -> Cost {
    call(rt, link, "StartRecord", Value::Null);
    wait_active(rt, link, "GetRecordStatus");
    let (t0, c0) = (Instant::now(), cpu_ticks(pid));
    let end = t0 + RECORD_FOR;
    while Instant::now() < end {
        std::thread::park_timeout(end - Instant::now());
    }
    let cpu = (cpu_ticks(pid) - c0) as f64 / tck / t0.elapsed().as_secs_f64() * 100.0;
    call(rt, link, "StopRecord", Value::Null);
    crate::obs_process::wait_until(Duration::from_secs(30), "the recording to close", || {
        rt.block_on(link.request("GetRecordStatus", Value::Null))
            .is_ok_and(|v| v["outputActive"] == false)
    })
    .expect("recording closed");
    let path = newest(dir);
    crate::obs_process::wait_until(Duration::from_secs(30), "the file complete", || {
        crate::obs_process::is_mkv_with_data(&path) && probe_ok(&path)
    })
    .expect("recording readable");
    let (duration, size) = probe(&path);
    Cost {
        bytes_per_s: size / duration,
        cpu_percent: cpu,
    }
}

#[test]
#[ignore = "a measurement: prints the cost of all-intra recording"]
fn keyframe_cost() {
    let rt = runtime();
    let obs = ObsProcess::start().expect("start OBS");
    let pid = obs.pid().expect("OBS runs");
    let link = direct(&rt, &obs);
    let clip = test_clip(obs.home());
    // A venue-like canvas and encoder (OBS's defaults: veryfast, 2500 kb/s), not the tests' tiny
    // one; set while no output runs.
    call(
        &rt,
        &link,
        "SetVideoSettings",
        json!({ "fpsNumerator": 30, "fpsDenominator": 1, "baseWidth": 1280, "baseHeight": 720,
                "outputWidth": 1280, "outputHeight": 720 }),
    );
    for (name, value) in [("Preset", "veryfast"), ("VBitrate", "2500")] {
        call(
            &rt,
            &link,
            "SetProfileParameter",
            json!({ "parameterCategory": "SimpleOutput", "parameterName": name,
                    "parameterValue": value }),
        );
    }
    call(
        &rt,
        &link,
        "CreateInput",
        json!({ "sceneName": SCENES[0], "inputName": "Moving", "inputKind": "ffmpeg_source",
                "inputSettings": { "is_local_file": true, "local_file": clip, "looping": true } }),
    );
    let tck = ticks_per_second();
    let mut costs = Vec::new();
    for (label, policy, keyint) in [
        (
            "keyint=15 (0.5 s)",
            KeyframePolicy::HALF_SECOND,
            "keyint=15 ",
        ),
        (
            "keyint=1 (all-intra)",
            KeyframePolicy::AllIntra,
            "keyint=1 ",
        ),
    ] {
        let mut setup = Review::start(&rt, &obs, None, None);
        let set = setup.must(ReviewRequest::SetupKeyframes(policy));
        setup.service.shutdown();
        // The profile reload must have kept the canvas and encoder: print what OBS has.
        let video = call(&rt, &link, "GetVideoSettings", Value::Null);
        eprintln!("{label}: canvas {video}");
        assert_eq!(video["fpsNumerator"], 30, "{video}");
        let x264 = call(
            &rt,
            &link,
            "GetProfileParameter",
            json!({ "parameterCategory": "SimpleOutput", "parameterName": "x264Settings" }),
        );
        let x264 = x264["parameterValue"].as_str().unwrap_or("").to_string();
        assert!(x264.contains(keyint), "{x264}");
        let cost = record(&rt, &link, &obs.record_dir, pid, tck);
        eprintln!(
            "{label}: {:.0} kB/s, OBS CPU {:.0} % ({set})",
            cost.bytes_per_s / 1000.0,
            cost.cpu_percent
        );
        costs.push(cost);
    }
    let (base, intra) = (&costs[0], &costs[1]);
    eprintln!(
        "all-intra against keyint=15 in OBS (fixed bitrate): {:.2}× the bytes per second, {:.2}× \
         the OBS CPU",
        intra.bytes_per_s / base.bytes_per_s,
        intra.cpu_percent / base.cpu_percent
    );
    // OBS's simple output keeps the bitrate, so all-intra costs picture quality there. What it
    // costs in size at equal quality: x264 (the same library) at a constant quality (CRF 23),
    // same preset, on 20 s of the same pattern.
    let sizes: Vec<f64> = [15, 1].iter().map(|k| crf_size(obs.home(), *k)).collect();
    eprintln!(
        "x264 CRF 23 (equal quality): keyint=15 {:.0} kB, keyint=1 {:.0} kB: {:.2}× the size",
        sizes[0] / 1000.0,
        sizes[1] / 1000.0,
        sizes[1] / sizes[0]
    );
}

/// Bytes of 20 s of the test pattern encoded by x264 at CRF 23 with a keyframe every `keyint`.
fn crf_size(dir: &Path, keyint: u32) -> f64 {
    let out = dir.join(format!("crf-{keyint}.mkv"));
    let ok = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=1280x720:rate=30")
        .args([
            "-t", "20", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
        ])
        .arg("-x264-params")
        .arg(format!("keyint={keyint}:min-keyint={keyint}:scenecut=0"))
        .arg(&out)
        .status()
        .expect("ffmpeg");
    assert!(ok.success(), "x264 encode");
    probe(&out).1
}
