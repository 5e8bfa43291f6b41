//! The scoring program's side of state requests, for `courtside simulate --answer-port`: like
//! TkStrike, answer each request (`informations`, `scores`, …; several per datagram, CRLF
//! separated) with the last packet of that kind sent, to the address and port that asked.

use crate::ingest::recovery::Ask;
use crate::protocol::{Event, parse_datagram};
use crate::worker::{StopSignal, WorkerThread, stop_requested};
use anyhow::Context;
use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The last packet sent of each kind. `scores` has two (`sc1…sc2…` and `s11…`), `winmatch` two
/// (`win` and `wmh`); the rest one.
#[derive(Debug, Default)]
pub struct LastPackets {
    slots: Vec<((Ask, u8), Vec<u8>)>,
}

/// Which kind (and which of its packets) an event's datagram is the last of.
fn slot(e: &Event) -> Option<(Ask, u8)> {
    let ask = Ask::of_event(e)?;
    let sub = match e {
        Event::RoundScore { .. } | Event::WinnerShown { .. } => 1,
        _ => 0,
    };
    Some((ask, sub))
}

impl LastPackets {
    /// Remember a datagram that was just sent.
    pub fn note(&mut self, bytes: &[u8]) {
        let events = parse_datagram(bytes);
        let mut slots: Vec<(Ask, u8)> = events.iter().filter_map(slot).collect();
        slots.dedup();
        for s in slots {
            match self.slots.iter_mut().find(|(k, _)| *k == s) {
                Some((_, b)) => *b = bytes.to_vec(),
                None => self.slots.push((s, bytes.to_vec())),
            }
        }
    }

    /// The packets that answer a request datagram, in the order asked.
    pub fn answers(&self, request: &[u8]) -> Vec<Vec<u8>> {
        let text = String::from_utf8_lossy(request);
        let mut out = Vec::new();
        for ask in text.split(['\r', '\n']).filter_map(Ask::parse) {
            let mut packets: Vec<&((Ask, u8), Vec<u8>)> =
                self.slots.iter().filter(|((a, _), _)| *a == ask).collect();
            packets.sort_by_key(|((_, sub), _)| *sub);
            out.extend(packets.into_iter().map(|(_, b)| b.clone()));
        }
        out
    }
}

/// A thread answering requests on one UDP port.
pub struct Answerer {
    thread: WorkerThread,
    addr: SocketAddr,
}

impl Answerer {
    /// Bind `bind` and answer from `last` until stopped.
    pub fn spawn(bind: SocketAddr, last: Arc<Mutex<LastPackets>>) -> anyhow::Result<Answerer> {
        let socket = UdpSocket::bind(bind)
            .with_context(|| format!("cannot bind the answer port UDP {bind}"))?;
        let addr = socket.local_addr().unwrap_or(bind);
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .context("cannot set a timeout on the answer socket")?;
        let thread = WorkerThread::spawn("pss-answers", move |stop| serve(&socket, &last, &stop))
            .context("cannot start the answering thread")?;
        Ok(Answerer { thread, addr })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stop answering and join the thread.
    /// (Dropping the answerer does the same.)
    pub fn stop(mut self) {
        self.thread.stop();
    }
}

fn serve(socket: &UdpSocket, last: &Mutex<LastPackets>, stop: &StopSignal) {
    let mut buf = vec![0u8; 65_536];
    while !stop_requested(stop) {
        let (n, from) = match socket.recv_from(&mut buf) {
            Ok(r) => r,
            // Timeout (to look at the stop flag), or a reset from an earlier answer's target.
            Err(_) => continue,
        };
        let answers = last
            .lock()
            .map(|l| l.answers(&buf[..n]))
            .unwrap_or_default();
        for a in answers {
            if let Err(e) = socket.send_to(&a, from) {
                eprintln!("courtside simulate: cannot answer {from}: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LastPackets;

    #[test]
    fn each_request_gets_the_last_packet_of_its_kind_in_the_order_asked() {
        let mut last = LastPackets::default();
        for d in [
            &b"sc1;1;sc2;0;"[..],
            b"s11;1;s21;0;s12;0;s22;0;s13;0;s23;0;",
            b"sc1;3;sc2;0;",
            b"clk;1:57;",
            b"mch;204;Final;M- 68 kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Senior;3;120;cntDown;18;1;",
        ] {
            last.note(d);
        }
        let got = last.answers(b"clock\r\nscores\r\nwinmatch\r\nnonsense\r\n");
        let want: Vec<Vec<u8>> = vec![
            b"clk;1:57;".to_vec(),
            b"sc1;3;sc2;0;".to_vec(),
            b"s11;1;s21;0;s12;0;s22;0;s13;0;s23;0;".to_vec(),
        ];
        assert_eq!(
            got, want,
            "nothing sent yet for winmatch; nonsense is no request"
        );
    }
}
