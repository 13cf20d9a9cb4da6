//! A `redis-server` of a test's own on a loopback port, killed on drop (no persistence). Used by
//! the tests and benches that share a rate limit through a real Redis, in several crates (each
//! includes this file with `#[path]`); whether `redis-server` is installed is the caller's check
//! (`.ci/require.rs`).
//!
//! The port. `redis-server` binds its port itself and cannot be handed a bound socket, so the
//! port cannot be held from the moment it is picked until it is used: it is picked by binding
//! `127.0.0.1:0` and releasing it, and another process may take it in between. So a server is
//! ready only when the server answering on the port is this one (`INFO server` gives the
//! `process_id` of the child started here); when the child exits instead (its port was taken:
//! "Address already in use") or another process answers, a new port is picked and the server
//! started again, up to [`ATTEMPTS`] times. Readiness is polled, with a generous bound; nothing
//! here measures time.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How many ports are tried before giving up.
pub const ATTEMPTS: usize = 10;

/// A running `redis-server`, killed on drop.
pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

/// Why a start on one port did not give a server of our own.
enum Start {
    Ready(Child),
    /// The port was taken (by whom is in the message); another may do.
    PortTaken(String),
}

impl RedisServer {
    /// Starts one on a free loopback port (see the module docs for how the port is made ours).
    pub fn start() -> RedisServer {
        let mut taken = Vec::new();
        for _ in 0..ATTEMPTS {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            match start_on(port) {
                Start::Ready(child) => return RedisServer { port, child: Some(child) },
                Start::PortTaken(why) => taken.push(why),
            }
        }
        panic!("redis-server did not start on any of {ATTEMPTS} ports: {taken:#?}");
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills the server and waits until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts a fresh (empty) server on the same port (clients hold its URL, so it cannot
    /// move). Fails, saying so, if another process took the port while it was free.
    pub fn restart(&mut self) {
        self.stop();
        match start_on(self.port) {
            Start::Ready(child) => self.child = Some(child),
            Start::PortTaken(why) => panic!("redis-server could not be restarted on its port: {why}"),
        }
    }

    /// One inline command: the reply's first line, or for a bulk reply its text; `None` when
    /// the server cannot be reached.
    pub fn command(&self, command: &str) -> Option<String> {
        command_on(self.port, command)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn start_on(port: u16) -> Start {
    let mut child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server starts");
    let pid = child.id().to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Start::PortTaken(format!("redis-server exited ({status}): port {port} is taken"));
        }
        if let Some(info) = command_on(port, "INFO server") {
            let answering = info.lines().find_map(|l| l.strip_prefix("process_id:")).map(str::trim);
            match answering {
                Some(id) if id == pid => return Start::Ready(child),
                Some(other) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Start::PortTaken(format!("port {port} is another redis-server's (process {other})"));
                }
                // Not a Redis reply (another program's port) or a server still loading: wait.
                None => {}
            }
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("redis-server on port {port} did not answer within 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn command_on(port: u16, command: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream.write_all(format!("{command}\r\n").as_bytes()).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let line = line.trim_end().to_owned();
    let Some(len) = line.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) else { return Some(line) };
    let mut text = vec![0; len];
    reader.read_exact(&mut text).ok()?;
    Some(String::from_utf8_lossy(&text).into_owned())
}
