//! Errors of the OBS side, and the translation of obws errors into them. No message ever holds
//! the password (it is never formatted anywhere).

/// obs-websocket status code for an unknown request type (the request is newer than the server).
pub(crate) const UNKNOWN_REQUEST_TYPE: u16 = 204;
/// obs-websocket status code: the output is already running.
pub(crate) const OUTPUT_RUNNING: u16 = 500;
/// obs-websocket status code: the output is not running.
pub(crate) const OUTPUT_NOT_RUNNING: u16 = 501;
/// WebSocket close code obs-websocket uses for a wrong password.
pub(crate) const CLOSE_AUTH_FAILED: u16 = 4009;

/// Something went wrong talking to OBS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObsError {
    /// Nothing answered at the address.
    #[error("cannot reach OBS at {addr}: {cause}")]
    Unreachable {
        /// `host:port`.
        addr: String,
        /// What the network said.
        cause: String,
    },
    /// OBS refused the password.
    #[error("OBS at {addr} refused the password (authentication failed)")]
    AuthFailed {
        /// `host:port`.
        addr: String,
    },
    /// OBS did not answer in time.
    #[error("OBS did not answer within {secs} s ({what})")]
    Timeout {
        /// What was waited for.
        what: String,
        /// The deadline in seconds.
        secs: u64,
    },
    /// The instance is not connected right now.
    #[error("not connected to OBS '{name}'")]
    NotConnected {
        /// Connection name.
        name: String,
    },
    /// The connection dropped while waiting.
    #[error("connection to OBS lost: {cause}")]
    Lost {
        /// Why.
        cause: String,
    },
    /// This OBS cannot do it (request unknown to its websocket version, or an answer in a shape
    /// this version does not send).
    #[error("{feature} is not available on this OBS (obs-websocket {websocket})")]
    Unsupported {
        /// What was asked.
        feature: String,
        /// The server's websocket version.
        websocket: String,
    },
    /// OBS answered with an error.
    #[error("OBS refused {request}: {reason}")]
    Refused {
        /// The request.
        request: String,
        /// obs-websocket status code.
        code: u16,
        /// OBS's reason.
        reason: String,
    },
    /// OBS accepted a start but the output stopped again instead of running.
    #[error("OBS could not start the {output} (OBS's log says why)")]
    OutputFailed {
        /// "recording", "replay buffer".
        output: String,
    },
    /// The password could not be had (not in the system keyring, keyring unreachable).
    #[error("{0}")]
    Password(String),
    /// OBS said something courtside does not understand.
    #[error("OBS protocol error: {0}")]
    Protocol(String),
}

impl ObsError {
    /// The obs-websocket status code of a refusal.
    pub fn code(&self) -> Option<u16> {
        match self {
            ObsError::Refused { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A refusal from an obs-websocket status code and OBS's comment.
    pub(crate) fn refused(request: &str, code: u16, comment: Option<&str>) -> ObsError {
        let meaning = match code {
            OUTPUT_RUNNING => "it is already running",
            OUTPUT_NOT_RUNNING => "it is not running",
            504 => "this output is disabled in OBS's output settings",
            600 => "not found",
            604 => "not possible in the current state",
            207 => "OBS is not ready yet",
            _ => "",
        };
        let reason = match (meaning, comment.filter(|c| !c.is_empty())) {
            ("", Some(c)) => c.to_string(),
            ("", None) => format!("status code {code}"),
            (m, Some(c)) => format!("{m} ({c})"),
            (m, None) => m.to_string(),
        };
        ObsError::Refused {
            request: request.into(),
            code,
            reason,
        }
    }
}

/// Text of an error and its sources ("failed to connect: Connection refused (os error 111)").
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        src = s.source();
    }
    out
}

/// Translate an obws error for request `request` on a server with `websocket` version.
pub(crate) fn from_obws(
    e: obws::error::Error,
    request: &str,
    addr: &str,
    websocket: &str,
) -> ObsError {
    use obws::error::Error as E;
    match e {
        E::Connect(ref c) => ObsError::Unreachable {
            addr: addr.into(),
            cause: chain(c),
        },
        E::Timeout => ObsError::Timeout {
            what: request.into(),
            secs: super::CONNECT_TIMEOUT.as_secs(),
        },
        E::Handshake(obws::client::HandshakeError::ConnectionClosed(Some(ref d)))
            if u16::from(d.code) == CLOSE_AUTH_FAILED =>
        {
            ObsError::AuthFailed { addr: addr.into() }
        }
        E::Handshake(ref h) => {
            ObsError::Protocol(format!("handshake with {addr} failed: {}", chain(h)))
        }
        E::DeserializeResponse(_) => ObsError::Unsupported {
            feature: request.into(),
            websocket: websocket.into(),
        },
        E::Api { code, message } => {
            let code = code as u16;
            if code == UNKNOWN_REQUEST_TYPE {
                ObsError::Unsupported {
                    feature: request.into(),
                    websocket: websocket.into(),
                }
            } else {
                ObsError::refused(request, code, message.as_deref())
            }
        }
        E::Send(_) | E::ReceiveMessage(_) | E::Disconnected => ObsError::Lost {
            cause: format!("{request} got no answer"),
        },
        other => ObsError::Protocol(chain(&other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use obws::error::Error as E;
    use obws::responses::StatusCode;

    #[test]
    fn obws_errors_become_errors_the_operator_can_act_on() {
        let api = |code| E::Api {
            code,
            message: None,
        };
        let e = from_obws(
            api(StatusCode::UnknownRequestType),
            "SetRecordDirectory",
            "h:1",
            "5.1.0",
        );
        assert_eq!(
            e.to_string(),
            "SetRecordDirectory is not available on this OBS (obs-websocket 5.1.0)"
        );
        let e = from_obws(
            api(StatusCode::OutputRunning),
            "StartRecord",
            "h:1",
            "5.1.0",
        );
        assert_eq!(e.code(), Some(OUTPUT_RUNNING));
        assert_eq!(
            e.to_string(),
            "OBS refused StartRecord: it is already running"
        );
        let e = from_obws(
            E::Api {
                code: StatusCode::ResourceNotFound,
                message: Some("No source was found".into()),
            },
            "GetSceneItemId",
            "h:1",
            "5.1.0",
        );
        assert_eq!(
            e.to_string(),
            "OBS refused GetSceneItemId: not found (No source was found)"
        );
        assert!(matches!(
            from_obws(E::Disconnected, "SaveReplayBuffer", "h:1", "5"),
            ObsError::Lost { .. }
        ));
        assert!(matches!(
            from_obws(E::Timeout, "connect", "h:1", "5"),
            ObsError::Timeout { .. }
        ));
    }
}
