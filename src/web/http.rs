//! A small HTTP/1.1 request reader and response writer over one TCP connection.
//!
//! The server answers a handful of GET routes and one POST family with tiny bodies, so it reads
//! requests itself (httparse, already in the tree through tokio-websockets) instead of pulling in
//! hyper: every limit (header bytes, header count, body bytes, time to send the head) is explicit
//! here, and a request that breaks one gets its status code and the connection is closed.

use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Most header lines in one request.
const MAX_HEADERS: usize = 48;

/// A parsed request head (and its small body).
#[derive(Debug, Clone)]
pub struct Request {
    /// Method, upper case as sent.
    pub method: String,
    /// Path, percent-decoded, without the query.
    pub path: String,
    /// Raw query (after `?`, not decoded).
    pub query: String,
    /// Header names lower case, values as sent (non-UTF-8 values are dropped).
    pub headers: Vec<(String, String)>,
    /// HTTP/1.0 (closes after the answer unless keep-alive is asked).
    pub http10: bool,
    /// The body (at most the body limit).
    pub body: Vec<u8>,
}

impl Request {
    /// The first header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when a header holds `token` in its comma-separated list (case-insensitive).
    pub fn header_has(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Whether the connection stays open after the answer.
    pub fn keep_alive(&self) -> bool {
        if self.header_has("connection", "close") {
            return false;
        }
        !self.http10 || self.header_has("connection", "keep-alive")
    }

    /// The value of query parameter `key` (percent-decoded), if given.
    pub fn query_param(&self, key: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == key).then(|| percent_decode(&v.replace('+', " ")).unwrap_or_default())
        })
    }
}

/// Why no request could be read; each maps to an answer (or to a silent close).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The peer closed (or sent nothing) before a request began: close quietly.
    Closed,
    /// Nothing arrived within the idle time between requests: close quietly.
    Idle,
    /// The head did not complete in time (a slow-loris client): 408.
    Timeout,
    /// The head exceeds the byte or line limit: 431.
    HeadTooLarge,
    /// The body is larger than allowed: 413.
    BodyTooLarge,
    /// Not HTTP/1.x, or a malformed head: 400 with the reason.
    Malformed(String),
    /// A body with `Transfer-Encoding` (not used by any client of this API): 411.
    LengthRequired,
}

/// Limits of one request read.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// Most bytes of the head (request line + headers).
    pub max_head: usize,
    /// Most bytes of a body.
    pub max_body: usize,
    /// Longest wait for the first byte of a request on an open connection.
    pub idle: Duration,
    /// Longest time from the first byte to the end of the head and body.
    pub head: Duration,
}

/// Read one request from `io`. `buf` carries bytes read past the previous request (pipelining).
pub async fn read_request<S: AsyncRead + Unpin>(
    io: &mut S,
    buf: &mut Vec<u8>,
    limits: ReadLimits,
) -> Result<Request, ReadError> {
    if buf.is_empty() {
        let mut chunk = [0u8; 4096];
        let n = match tokio::time::timeout(limits.idle, io.read(&mut chunk)).await {
            Err(_) => return Err(ReadError::Idle),
            Ok(Err(_)) | Ok(Ok(0)) => return Err(ReadError::Closed),
            Ok(Ok(n)) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
    }
    match tokio::time::timeout(limits.head, read_rest(io, buf, limits)).await {
        Err(_) => Err(ReadError::Timeout),
        Ok(r) => r,
    }
}

async fn read_rest<S: AsyncRead + Unpin>(
    io: &mut S,
    buf: &mut Vec<u8>,
    limits: ReadLimits,
) -> Result<Request, ReadError> {
    let mut chunk = [0u8; 4096];
    loop {
        if let Some((req, head_len, body_len)) = parse_head(buf, limits)? {
            while buf.len() < head_len + body_len {
                let n = io.read(&mut chunk).await.map_err(|_| ReadError::Closed)?;
                if n == 0 {
                    return Err(ReadError::Malformed("the body ended early".into()));
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = buf[head_len..head_len + body_len].to_vec();
            buf.drain(..head_len + body_len);
            return Ok(Request { body, ..req });
        }
        if buf.len() > limits.max_head {
            return Err(ReadError::HeadTooLarge);
        }
        let n = io.read(&mut chunk).await.map_err(|_| ReadError::Closed)?;
        if n == 0 {
            return Err(ReadError::Malformed("the request head ended early".into()));
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// Parse a complete head in `buf`: the request (without body), head length, body length.
fn parse_head(
    buf: &[u8],
    limits: ReadLimits,
) -> Result<Option<(Request, usize, usize)>, ReadError> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    let head_len = match parsed.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(ReadError::HeadTooLarge),
        Err(e) => return Err(ReadError::Malformed(format!("bad request head: {e}"))),
    };
    if head_len > limits.max_head {
        return Err(ReadError::HeadTooLarge);
    }
    let method = parsed.method.unwrap_or_default().to_string();
    let target = parsed.path.unwrap_or_default();
    let http10 = parsed.version == Some(0);
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .filter_map(|h| {
            let v = std::str::from_utf8(h.value).ok()?;
            Some((h.name.to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    let (raw_path, query) = target.split_once('?').unwrap_or((target, ""));
    if !raw_path.starts_with('/') {
        return Err(ReadError::Malformed(format!(
            "the request target {target:?} is not a path"
        )));
    }
    let path = percent_decode(raw_path)
        .ok_or_else(|| ReadError::Malformed(format!("the path {raw_path:?} is badly encoded")))?;
    let req = Request {
        method,
        path,
        query: query.to_string(),
        headers,
        http10,
        body: Vec::new(),
    };
    if req.header("transfer-encoding").is_some() {
        return Err(ReadError::LengthRequired);
    }
    let body_len = match req.header("content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| ReadError::Malformed(format!("Content-Length {v:?} is not a number")))?,
    };
    if body_len > limits.max_body {
        return Err(ReadError::BodyTooLarge);
    }
    Ok(Some((req, head_len, body_len)))
}

/// Decode `%XX` escapes; `None` for a broken escape or a result that is not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// An answer: status, content type, extra headers, body.
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Content-Type.
    pub content_type: &'static str,
    /// Further headers.
    pub headers: Vec<(&'static str, String)>,
    /// Body bytes.
    pub body: std::borrow::Cow<'static, [u8]>,
}

impl Response {
    /// A response with a body.
    pub fn new(
        status: u16,
        content_type: &'static str,
        body: impl Into<std::borrow::Cow<'static, [u8]>>,
    ) -> Response {
        Response {
            status,
            content_type,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A JSON body.
    pub fn json(status: u16, value: &serde_json::Value) -> Response {
        Response::new(status, "application/json", value.to_string().into_bytes())
    }

    /// A JSON error: `{"error": message}`.
    pub fn error(status: u16, message: &str) -> Response {
        Response::json(status, &serde_json::json!({ "error": message }))
    }

    /// Add a header.
    pub fn with(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }
}

/// The reason phrase of the codes this server sends.
pub fn reason(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        202 => "Accepted",
        204 => "No Content",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// Write `resp` (with `HEAD` semantics when `head_only`); `close` adds `Connection: close`.
pub async fn write_response<S: AsyncWrite + Unpin>(
    io: &mut S,
    resp: &Response,
    head_only: bool,
    close: bool,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n",
        resp.status,
        reason(resp.status),
        resp.content_type,
        resp.body.len()
    );
    for (name, value) in &resp.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    io.write_all(head.as_bytes()).await?;
    if !head_only {
        io.write_all(&resp.body).await?;
    }
    io.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ReadLimits {
        ReadLimits {
            max_head: 1024,
            max_body: 16,
            idle: Duration::from_secs(1),
            head: Duration::from_secs(1),
        }
    }

    #[test]
    fn percent_decoding_accepts_spaces_and_refuses_broken_escapes() {
        assert_eq!(
            percent_decode("/overlay/Court%201").as_deref(),
            Some("/overlay/Court 1")
        );
        assert_eq!(percent_decode("/a%2"), None);
        assert_eq!(percent_decode("/a%zz"), None);
        assert_eq!(percent_decode("/%ff"), None);
    }

    #[test]
    fn a_head_is_parsed_with_its_query_and_pipelined_bytes_kept() {
        let raw = b"GET /overlay/Court%201?layout=bar&scale=2 HTTP/1.1\r\nHost: x\r\n\r\nGET /";
        let (req, head, body) = parse_head(raw, limits()).unwrap().unwrap();
        assert_eq!(req.path, "/overlay/Court 1");
        assert_eq!(req.query_param("layout").as_deref(), Some("bar"));
        assert_eq!(req.query_param("scale").as_deref(), Some("2"));
        assert_eq!((head, body), (raw.len() - 5, 0));
        assert!(req.keep_alive());
    }

    #[test]
    fn oversized_body_and_chunked_bodies_are_refused() {
        let big = b"POST /x HTTP/1.1\r\nContent-Length: 17\r\n\r\n";
        assert_eq!(
            parse_head(big, limits()).unwrap_err(),
            ReadError::BodyTooLarge
        );
        let chunked = b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(
            parse_head(chunked, limits()).unwrap_err(),
            ReadError::LengthRequired
        );
        let absolute = b"GET http://x/ HTTP/1.1\r\n\r\n";
        assert!(matches!(
            parse_head(absolute, limits()),
            Err(ReadError::Malformed(_))
        ));
    }
}
