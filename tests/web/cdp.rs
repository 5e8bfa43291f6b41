//! A headless Chromium (Debian's `chromium`) driven over the DevTools protocol with the
//! tokio-websockets client: open a page, evaluate JavaScript, take screenshots.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_websockets::{ClientBuilder, MaybeTlsStream, Message, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// The browser binary (Debian's package; CI installs it in .ci/run).
pub fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// One browser with one page.
pub struct Browser {
    child: Child,
    page: Ws,
    next_id: u64,
    runtime: tokio::runtime::Runtime,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Start the browser on `url` with a `width`×`height` viewport and a transparent default
    /// background (as OBS's browser source renders).
    pub fn open(url: &str, width: u32, height: u32) -> Browser {
        let profile = tempfile::Builder::new()
            .prefix("courtside-chromium-")
            .tempdir()
            .unwrap();
        let child = Command::new(chromium())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                &format!("--window-size={width},{height}"),
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium().display()));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let port_file = profile.path().join("DevToolsActivePort");
        let end = Instant::now() + Duration::from_secs(30);
        let port = loop {
            if let Ok(text) = std::fs::read_to_string(&port_file)
                && let Some(port) = text.lines().next().and_then(|l| l.parse::<u16>().ok())
            {
                break port;
            }
            assert!(
                Instant::now() < end,
                "chromium did not open its DevTools port"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let page = runtime.block_on(async {
            let list: Value = http_json(port, "/json/list").await;
            let ws_url = list
                .as_array()
                .and_then(|a| a.iter().find(|t| t["type"] == "page"))
                .and_then(|t| t["webSocketDebuggerUrl"].as_str())
                .expect("a page target")
                .to_string();
            let (ws, _) = ClientBuilder::new()
                .uri(&ws_url)
                .unwrap()
                .connect()
                .await
                .unwrap_or_else(|e| panic!("devtools {ws_url}: {e}"));
            ws
        });
        let mut b = Browser {
            child,
            page,
            next_id: 0,
            runtime,
            _profile: profile,
        };
        b.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}),
        );
        b.call(
            "Emulation.setDefaultBackgroundColorOverride",
            json!({"color": {"r": 0, "g": 0, "b": 0, "a": 0}}),
        );
        b.call("Page.enable", json!({}));
        b.call("Page.navigate", json!({"url": url}));
        b
    }

    /// Send a command and wait for its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"id": id, "method": method, "params": params}).to_string();
        let page = &mut self.page;
        self.runtime.block_on(async {
            page.send(Message::text(msg)).await.unwrap();
            loop {
                let frame = tokio::time::timeout(Duration::from_secs(30), page.next())
                    .await
                    .unwrap_or_else(|_| panic!("no answer to {method}"))
                    .expect("devtools closed")
                    .expect("devtools frame");
                let Some(text) = frame.as_text() else {
                    continue;
                };
                let v: Value = serde_json::from_str(text).unwrap();
                if v["id"] == id {
                    assert!(v.get("error").is_none(), "{method}: {v}");
                    return v["result"].clone();
                }
            }
        })
    }

    /// Evaluate `expr` in the page (promises awaited); its JSON value.
    pub fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expr}: {r}");
        r["result"]["value"].clone()
    }

    /// Wait until `expr` is true in the page (an exception, e.g. while the page still loads,
    /// counts as not yet).
    pub fn wait_for(&mut self, expr: &str, limit: Duration) {
        let end = Instant::now() + limit;
        loop {
            let r = self.call(
                "Runtime.evaluate",
                json!({"expression": format!("!!({expr})"), "returnByValue": true}),
            );
            if r.get("exceptionDetails").is_none() && r["result"]["value"] == Value::Bool(true) {
                return;
            }
            assert!(
                Instant::now() < end,
                "timed out waiting in the page for: {expr}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A PNG of the viewport.
    pub fn screenshot(&mut self) -> image::RgbaImage {
        use base64::Engine;
        let r = self.call("Page.captureScreenshot", json!({"format": "png"}));
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().unwrap())
            .unwrap();
        image::load_from_memory(&bytes).unwrap().to_rgba8()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn http_json(port: u16, path: &str) -> Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let fetch = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        // Chromium keeps the connection open: read the head, then Content-Length bytes.
        let mut all = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = s.read(&mut chunk).await.unwrap();
            assert!(n > 0, "devtools closed the connection");
            all.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&all).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let len = head
                    .lines()
                    .find_map(|l| {
                        let (n, v) = l.split_once(':')?;
                        n.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse::<usize>().ok())?
                    })
                    .expect("a Content-Length");
                if body.len() >= len {
                    return serde_json::from_str(&body[..len])
                        .unwrap_or_else(|e| panic!("devtools {path}: {e}: {text}"));
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), fetch)
        .await
        .unwrap_or_else(|_| panic!("devtools {path} did not answer"))
}
