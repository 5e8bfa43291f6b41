//! Binding a listener's socket, and what a failure means for the operator.

use super::{ListenerConfig, RECV_BUFFER_BYTES};
use socket2::{Domain, Protocol, Socket, Type};
use std::io;
use std::net::{SocketAddr, UdpSocket};

/// Binding failed: names the address and the cause, with what to do.
#[derive(Debug, thiserror::Error)]
#[error("cannot bind UDP {addr}: {cause}")]
pub struct BindError {
    /// The address.
    pub addr: SocketAddr,
    /// Human cause, with a hint.
    pub cause: String,
    /// The OS error kind.
    pub kind: io::ErrorKind,
}

/// Bind a UDP socket for `config` with a large receive buffer, exclusively on Windows.
pub fn bind(config: &ListenerConfig) -> Result<UdpSocket, BindError> {
    let addr = config.addr();
    let err = |e: io::Error| BindError {
        addr,
        kind: e.kind(),
        cause: describe_bind_error(&e, addr),
    };
    let socket =
        Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP)).map_err(err)?;
    // Broadcasts on the court LAN must be received; a bigger buffer absorbs bursts. Neither is
    // fatal if the OS refuses (the buffer is capped by the OS on Linux), but a refusal is logged:
    // it explains missing broadcasts or drops in a burst.
    if let Err(e) = socket.set_broadcast(true) {
        tracing::warn!(%addr, "cannot receive broadcasts on this socket: {e}");
    }
    if let Err(e) = socket.set_recv_buffer_size(RECV_BUFFER_BYTES) {
        tracing::warn!(%addr, "cannot enlarge the receive buffer: {e}");
    }
    if addr.is_ipv6() && addr.ip().is_unspecified() {
        // `::` should hear IPv4 scoring programs too; Windows makes IPv6 sockets v6-only unless
        // told otherwise. Not fatal: an IPv6-only host simply has no IPv4 to hear.
        if let Err(e) = socket.set_only_v6(false) {
            tracing::info!(%addr, "this socket hears IPv6 only: {e}");
        }
    }
    // SO_REUSEADDR stays off everywhere (socket2's default): with it, a second program could
    // share the port.
    #[cfg(windows)]
    exclusive_address_use(&socket).map_err(err)?;
    socket.bind(&addr.into()).map_err(err)?;
    Ok(socket.into())
}

/// Windows lets a second process bind a UDP port that is already bound (another courtside, a
/// second copy of the scoring software, anything that sets SO_REUSEADDR) and then hands it the
/// unicast datagrams with no error on either side: the scoreboard silently stops. With
/// SO_EXCLUSIVEADDRUSE set before `bind`, no other socket may bind the same address and port
/// while this one is open, and our own bind fails with "address in use" if one already is, so a
/// conflict is an error the operator sees instead of stolen traffic.
#[cfg(windows)]
fn exclusive_address_use(socket: &Socket) -> io::Result<()> {
    use std::os::windows::io::AsRawSocket;
    use windows_sys::Win32::Networking::WinSock::{
        SO_EXCLUSIVEADDRUSE, SOCKET, SOCKET_ERROR, SOL_SOCKET, setsockopt,
    };
    let on: i32 = 1;
    // SAFETY: the socket handle is valid for the call (borrowed from `socket`), and the option
    // value points at a live i32 whose size is passed along.
    let rc = unsafe {
        setsockopt(
            socket.as_raw_socket() as SOCKET,
            SOL_SOCKET,
            SO_EXCLUSIVEADDRUSE,
            (&on as *const i32).cast::<u8>(),
            std::mem::size_of::<i32>() as i32,
        )
    };
    if rc == SOCKET_ERROR {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn describe_bind_error(e: &io::Error, addr: SocketAddr) -> String {
    match e.kind() {
        io::ErrorKind::AddrInUse => format!(
            "address in use — another program (another courtside, or the scoring software on \
             this machine) already listens on port {}; stop it or choose another port",
            addr.port()
        ),
        io::ErrorKind::PermissionDenied => format!(
            "permission denied — port {} needs elevated rights or is blocked by policy (on \
             Windows also: another program holds it exclusively); use a port above 1024",
            addr.port()
        ),
        io::ErrorKind::AddrNotAvailable => format!(
            "address not available — no network interface has {}; pick another interface or \
             0.0.0.0",
            addr.ip()
        ),
        _ => e.to_string(),
    }
}
