//! What Linux's /proc tells about a process: CPU time (nanoseconds, all threads), peak resident
//! memory, its network sockets, and which process owns the client end of a local connection.

use std::collections::HashSet;
use std::path::Path;

/// CPU time the process has run so far, summed over its threads, in nanoseconds
/// (`/proc/<pid>/task/*/schedstat`, first field: nanosecond resolution, unlike `stat`'s ticks).
/// Threads that already exited are not counted.
pub fn cpu_ns(pid: u32) -> Option<u64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut total = 0;
    for task in tasks.flatten() {
        if let Ok(text) = std::fs::read_to_string(task.path().join("schedstat")) {
            total += text
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Some(total)
}

/// Peak resident set size (`VmHWM`) in KiB.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

/// Every process whose executable is `exe`.
pub fn pids_with_exe(exe: &Path) -> Vec<u32> {
    let Ok(exe) = exe.canonicalize() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .ok()
                .as_deref()
                == Some(exe.as_path())
        })
        .collect()
}

/// A TCP or UDP socket of a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Socket {
    /// `tcp`, `tcp6`, `udp` or `udp6`.
    pub protocol: &'static str,
    /// Local address as `ip:port` (IPv4 shown dotted; IPv6 as the kernel's hex).
    pub local: String,
    /// Remote address, the same way.
    pub remote: String,
    /// The remote port.
    pub remote_port: u16,
}

impl std::fmt::Display for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} -> {}", self.protocol, self.local, self.remote)
    }
}

const PROTOCOLS: [&str; 4] = ["tcp", "tcp6", "udp", "udp6"];

/// The network (TCP/UDP) sockets a process holds open right now.
pub fn network_sockets(pid: u32) -> Vec<Socket> {
    let inodes = socket_inodes(pid);
    let mut found = Vec::new();
    for protocol in PROTOCOLS {
        let Ok(table) = std::fs::read_to_string(format!("/proc/{pid}/net/{protocol}")) else {
            continue;
        };
        for row in table.lines().skip(1).filter_map(parse_row) {
            if inodes.contains(&row.inode) {
                found.push(Socket {
                    protocol,
                    local: show_addr(&row.local),
                    remote: show_addr(&row.remote),
                    remote_port: row.remote_port,
                });
            }
        }
    }
    found
}

/// The process holding the client end of the local TCP connection from `client_port` to
/// `server_port` (both on this machine), if it can still be found.
pub fn client_socket_owner(client_port: u16, server_port: u16) -> Option<u32> {
    let inode = ["tcp", "tcp6"].iter().find_map(|protocol| {
        let table = std::fs::read_to_string(format!("/proc/net/{protocol}")).ok()?;
        table
            .lines()
            .skip(1)
            .filter_map(parse_row)
            .find(|row| row.local_port == client_port && row.remote_port == server_port)
            .map(|row| row.inode)
    })?;
    let entries = std::fs::read_dir("/proc").ok()?;
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| socket_inodes(*pid).contains(&inode))
}

fn socket_inodes(pid: u32) -> HashSet<u64> {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return HashSet::new();
    };
    fds.flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .filter_map(|target| {
            let target = target.to_str()?.to_string();
            target
                .strip_prefix("socket:[")?
                .strip_suffix(']')?
                .parse()
                .ok()
        })
        .collect()
}

struct Row {
    local: String,
    remote: String,
    local_port: u16,
    remote_port: u16,
    inode: u64,
}

/// One line of /proc/net/{tcp,udp}[6]: `sl local rem st queues tr retr uid timeout inode ...`.
fn parse_row(line: &str) -> Option<Row> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let local = fields.get(1)?.to_string();
    let remote = fields.get(2)?.to_string();
    let port = |addr: &str| u16::from_str_radix(addr.rsplit(':').next()?, 16).ok();
    Some(Row {
        local_port: port(&local)?,
        remote_port: port(&remote)?,
        inode: fields.get(9)?.parse().ok()?,
        local,
        remote,
    })
}

/// `0100007F:1F90` -> `127.0.0.1:8080`; IPv6 addresses stay hex.
fn show_addr(addr: &str) -> String {
    let Some((ip, port)) = addr.split_once(':') else {
        return addr.to_string();
    };
    let port = u16::from_str_radix(port, 16).unwrap_or(0);
    match u32::from_str_radix(ip, 16) {
        Ok(raw) if ip.len() == 8 => {
            format!("{}:{port}", std::net::Ipv4Addr::from(u32::from_be(raw)))
        }
        _ => format!("[{ip}]:{port}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        assert!(cpu_ns(me).unwrap() > 0);
        assert!(peak_rss_kib(me).unwrap() > 0);
        let exe = std::env::current_exe().unwrap();
        assert!(pids_with_exe(&exe).contains(&me));
    }

    #[test]
    fn finds_the_owner_of_a_local_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let server_port = listener.local_addr().unwrap().port();
        let client = std::net::TcpStream::connect(("127.0.0.1", server_port)).unwrap();
        let client_port = client.local_addr().unwrap().port();
        assert_eq!(
            client_socket_owner(client_port, server_port),
            Some(std::process::id())
        );
        let mine = network_sockets(std::process::id());
        assert!(
            mine.iter()
                .any(|s| s.remote == format!("127.0.0.1:{server_port}")),
            "{mine:?}"
        );
    }

    #[test]
    fn shows_ipv4_addresses() {
        assert_eq!(show_addr("0100007F:1F90"), "127.0.0.1:8080");
    }
}
