//! Where the sandbox may deliver notifications: never to itself, and to this machine or a
//! private network only when that is no wider than who can reach the sandbox.
//!
//! A notify URL is set by anyone who can sign a request, and with the committed dev keys that
//! is anyone who can reach the sandbox. Without these checks the sandbox POSTs wherever it is
//! told: to a service that listens on loopback only, to the cloud metadata address, or to its
//! own admin endpoints (`POST /sandbox/pre-send-tokens/{token}/claim` ignores the body, and a
//! POST from the sandbox comes from loopback, which the admin gate lets in). So:
//!
//! * a URL whose path starts with a `sandbox` segment (`/sandbox/...`, the admin endpoints of
//!   this and any other sandbox; percent-decoded, any case) is refused;
//! * an address of this machine on the sandbox's own port (its listener) is refused;
//! * loopback, private, link-local and other non-public addresses are refused unless the
//!   sandbox listens on loopback (then only this machine can set a URL anyway) or was started
//!   with `--allow-private-notify` ([`SandboxBuilder::allow_private_notify`]).
//!
//! The address checked is the one connected to: an IP-literal URL is checked as written (the
//! HTTP client connects to it without resolving), and a name is resolved by [`GuardedResolver`],
//! the notification client's DNS resolver, which hands the client only the addresses allowed,
//! so a name that resolves to something else at delivery time (DNS rebinding) is refused then.
//! The resolver does not see the port, so deliveries to the sandbox's own port go through a
//! second client whose resolver also refuses every address of this machine.
//!
//! [`SandboxBuilder::allow_private_notify`]: crate::SandboxBuilder::allow_private_notify

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// The delivery policy of one sandbox.
#[derive(Debug, Clone)]
pub(crate) struct NotifyTargets {
    /// The sandbox's own listener.
    listen: SocketAddr,
    /// Loopback and private addresses may be notified: the listener is loopback, or
    /// `--allow-private-notify`.
    private_allowed: bool,
}

impl NotifyTargets {
    pub(crate) fn new(listen: SocketAddr, allow_private_notify: bool) -> Self {
        let loopback_listener = listen.ip().to_canonical().is_loopback();
        NotifyTargets { listen, private_allowed: loopback_listener || allow_private_notify }
    }

    /// The sandbox's own port: deliveries to it take the client that refuses this machine.
    pub(crate) fn own_port(&self) -> u16 {
        self.listen.port()
    }

    /// Checks what a URL says by itself: its path, and the address when the host is an IP
    /// literal (the HTTP client connects to it without asking the resolver). A name is
    /// checked when it is resolved ([`GuardedResolver`]), except `localhost` on the sandbox's
    /// own port, refused here already.
    pub(crate) fn check_url(&self, url: &Url) -> Result<(), String> {
        if targets_admin(url.path()) {
            return Err(format!(
                "通知地址不能指向沙箱的管理接口 /sandbox/... (path {:?}): the sandbox does not notify admin endpoints",
                url.path()
            ));
        }
        let port = url.port_or_known_default().unwrap_or(0);
        let host = url.host_str().ok_or("通知地址没有主机名")?;
        // The URL parser has normalised IP literals (`0x7f.1` is `127.0.0.1`, IPv6 in brackets).
        if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            return self.check_addr(SocketAddr::new(ip, port));
        }
        let name = host.trim_end_matches('.').to_ascii_lowercase();
        if name == "localhost" || name.ends_with(".localhost") {
            return self.check_addr(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
        }
        Ok(())
    }

    /// Checks one address a delivery would connect to, port included.
    pub(crate) fn check_addr(&self, addr: SocketAddr) -> Result<(), String> {
        self.check_ip(addr.ip(), addr.port() == self.own_port())
    }

    /// Checks one address without its port: `own_port` says whether the delivery goes to the
    /// sandbox's own port, where every address of this machine is the sandbox itself.
    pub(crate) fn check_ip(&self, ip: IpAddr, own_port: bool) -> Result<(), String> {
        let ip = ip.to_canonical();
        if own_port && is_this_machine(ip, self.listen.ip()) {
            return Err(format!(
                "{ip} port {} is this sandbox's own listener ({}): the sandbox does not notify itself",
                self.own_port(),
                self.listen
            ));
        }
        if !self.private_allowed && !is_public(ip) {
            return Err(format!(
                "{ip} is a loopback, private or otherwise non-public address, and this sandbox listens on {}, \
                 not on loopback: start it with --allow-private-notify (SandboxBuilder::allow_private_notify) \
                 to deliver to this machine or a private network",
                self.listen
            ));
        }
        Ok(())
    }
}

/// Whether a URL path names the admin endpoints: its first segment, percent-decoded, is
/// `sandbox` in any case (`/sandbox`, `/sandbox/clock`, `/%73andbox/...`, `/SANDBOX/`).
fn targets_admin(path: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let first = decoded.trim_start_matches('/').split(['/', '?', '#', ';']).next().unwrap_or("");
    first.eq_ignore_ascii_case("sandbox")
}

/// Whether `ip` is an address of this machine: loopback, unspecified (connecting to `0.0.0.0`
/// reaches this machine), the listener's own address, or an address a socket can be bound to
/// here (a local interface's).
fn is_this_machine(ip: IpAddr, listen: IpAddr) -> bool {
    ip.is_loopback()
        || ip.is_unspecified()
        || ip == listen.to_canonical()
        || std::net::UdpSocket::bind(SocketAddr::new(ip, 0)).is_ok()
}

/// Whether `ip` is a public (globally routed) address: not loopback, private, link-local,
/// shared (CGNAT), unspecified, broadcast, multicast, reserved or documentation space, nor an
/// IPv6 address that embeds one of those (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0 // 0.0.0.0/8: "this network"
        || (a == 100 && (b & 0xc0) == 64) // 100.64.0.0/10: shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // 192.0.0.0/24: IETF protocol assignments
        || (a == 198 && (b & 0xfe) == 18) // 198.18.0.0/15: benchmarking
        || a >= 240) // 240.0.0.0/4: reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let embedded_v4 = |hi: u16, lo: u16| Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8);
    if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() {
        return false;
    }
    // ::/96 (IPv4-compatible, deprecated) and every other address with 96 leading zero bits.
    if s[..6].iter().all(|&x| x == 0) {
        return false;
    }
    match s[0] {
        x if (x & 0xfe00) == 0xfc00 => false,            // fc00::/7 unique local
        x if (x & 0xffc0) == 0xfe80 => false,            // fe80::/10 link-local
        x if (x & 0xffc0) == 0xfec0 => false,            // fec0::/10 site-local (deprecated)
        0x2001 if s[1] == 0x0db8 => false,               // 2001:db8::/32 documentation
        0x2002 => is_public_v4(embedded_v4(s[1], s[2])), // 6to4
        0x0064 if s[1] == 0xff9b && s[2..6].iter().all(|&x| x == 0) => is_public_v4(embedded_v4(s[6], s[7])), // NAT64
        0x0064 if s[1] == 0xff9b && s[2] == 1 => false,  // 64:ff9b:1::/48 local-use NAT64
        _ => true,
    }
}

/// The notification client's DNS resolver: resolves with the system resolver, then keeps only
/// the addresses [`NotifyTargets`] allows, so the client connects to nothing else. With none
/// left the delivery fails, saying why.
#[derive(Debug, Clone)]
pub(crate) struct GuardedResolver {
    targets: Arc<NotifyTargets>,
    /// This resolver's client delivers to the sandbox's own port.
    own_port: bool,
}

impl GuardedResolver {
    pub(crate) fn new(targets: Arc<NotifyTargets>, own_port: bool) -> Self {
        GuardedResolver { targets, own_port }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let mut allowed = Vec::new();
            let mut refused = Vec::new();
            for addr in resolved {
                match this.targets.check_ip(addr.ip(), this.own_port) {
                    Ok(()) => allowed.push(addr),
                    Err(why) => refused.push(why),
                }
            }
            if allowed.is_empty() {
                let why = if refused.is_empty() { "it resolves to no address".to_owned() } else { refused.join("; ") };
                return Err(format!("notify target {host:?} refused: {why}").into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn public_addresses_are_told_from_the_rest() {
        for public in ["8.8.8.8", "203.0.114.1", "2400:cb00::1", "2002:808:808::1", "64:ff9b::808:808"] {
            assert!(is_public(ip(public)), "{public}");
        }
        for internal in [
            "127.0.0.1",
            "127.9.9.9",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2002:7f00:1::1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
        ] {
            assert!(!is_public(ip(internal)), "{internal}");
        }
    }

    #[test]
    fn a_loopback_sandbox_notifies_loopback_but_never_itself() {
        let targets = NotifyTargets::new("127.0.0.1:8080".parse().unwrap(), false);
        for ok in [
            "http://127.0.0.1:9000/notify",
            "http://localhost:9000/notify",
            "http://[::1]:9000/n",
            "https://10.0.0.5/notify",
            "https://example.com/sandbox-callback",
            "https://example.com/wechatpay/sandbox/notify",
        ] {
            assert_eq!(targets.check_url(&url(ok)), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("http://127.0.0.1:8080/notify", "own listener"),
            ("http://localhost:8080/notify", "own listener"),
            ("http://[::1]:8080/notify", "own listener"),
            ("http://0.0.0.0:8080/notify", "own listener"),
            ("http://[::ffff:127.0.0.1]:8080/notify", "own listener"),
            ("http://127.0.0.1:9000/sandbox/pre-send-tokens/t/claim", "/sandbox/"),
            ("https://example.com/sandbox/clock", "/sandbox/"),
            ("https://example.com/SANDBOX", "/sandbox/"),
            ("https://example.com/%73andbox/faults", "/sandbox/"),
            ("https://example.com/a/../sandbox/faults", "/sandbox/"),
        ] {
            let e = targets.check_url(&url(bad)).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn a_network_sandbox_notifies_private_addresses_only_with_the_flag() {
        let strict = NotifyTargets::new("0.0.0.0:8080".parse().unwrap(), false);
        let open = NotifyTargets::new("0.0.0.0:8080".parse().unwrap(), true);
        for internal in [
            "http://127.0.0.1:9000/notify",
            "http://localhost:9000/notify",
            "https://10.0.0.5/notify",
            "https://169.254.169.254/latest/meta-data",
            "https://[fd00::1]/n",
            "https://[::ffff:192.168.0.1]/n",
        ] {
            let e = strict.check_url(&url(internal)).unwrap_err();
            assert!(e.contains("--allow-private-notify"), "{internal}: {e}");
            assert_eq!(open.check_url(&url(internal)), Ok(()), "{internal} with the flag");
        }
        assert_eq!(strict.check_url(&url("https://8.8.8.8/notify")), Ok(()));
        // Its own listener stays refused with the flag.
        for own in ["http://127.0.0.1:8080/n", "http://localhost:8080/n"] {
            assert!(open.check_url(&url(own)).unwrap_err().contains("own listener"), "{own}");
        }
    }

    /// What the resolver answers for `localhost`: its addresses, or why it refused them.
    async fn resolve_localhost(targets: &Arc<NotifyTargets>, own_port: bool) -> Result<Vec<SocketAddr>, String> {
        match GuardedResolver::new(Arc::clone(targets), own_port).resolve("localhost".parse().unwrap()).await {
            Ok(addrs) => Ok(addrs.collect()),
            Err(e) => Err(e.to_string()),
        }
    }

    #[tokio::test]
    async fn the_resolver_hands_out_allowed_addresses_only() {
        let strict = Arc::new(NotifyTargets::new("0.0.0.0:8080".parse().unwrap(), false));
        let e = resolve_localhost(&strict, false).await.unwrap_err();
        assert!(e.contains("--allow-private-notify"), "{e}");

        let loopback = Arc::new(NotifyTargets::new("127.0.0.1:8080".parse().unwrap(), false));
        let addrs = resolve_localhost(&loopback, false).await.unwrap();
        assert!(!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()), "{addrs:?}");
        let e = resolve_localhost(&loopback, true).await.unwrap_err();
        assert!(e.contains("own listener"), "this machine refused on the sandbox's own port: {e}");
    }
}
