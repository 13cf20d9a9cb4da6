//! `wechatpay-sandbox`: the sandbox as a command. See `--help` and `sandbox/README.md`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use wechatpay_sandbox::{Sandbox, SandboxKeys};

const HELP: &str = "\
wechatpay-sandbox: a local stand-in for the WeChat Pay APIv3 商品券 (product coupon) APIs, both the
partner (服务商) paths and the brand-direct (品牌直连) paths, one state

USAGE:
    wechatpay-sandbox [OPTIONS]

OPTIONS:
    --listen ADDR        address to listen on (default 127.0.0.1:8080; 127.0.0.1:0 picks a free port)
    --env-file PATH      write the client configuration (WECHATPAY_* variables, the brand's
                         WECHATPAY_BRAND_* too) to PATH and the key files it names to PATH.keys/;
                         load it with: set -a; . PATH; set +a
    --state-file PATH    load the state from PATH if it exists; write it there after every change
    --keys-dir DIR       use the keys saved in DIR, or generate fresh ones and save them there
    --generate-keys      use fresh keys for this run only (default: the fixed sandbox-only dev keys)
    --mchid ID           merchant id requests must be signed for (default 1900000001)
    --brand ID           a brand that authorized the merchant (repeatable); others get 403 NO_AUTH
                         (default: every brand)
    --start-time TIME    start the business clock at TIME (RFC 3339, e.g. 2025-08-04T10:00:00+08:00)
                         instead of now: coupons are received, used and expire by this clock
    --no-rate-limit      do not enforce the documented 频率限制 (for load tests)
    --admin-from-anywhere
                         answer the admin endpoints /sandbox/... to any peer; by default they
                         answer loopback peers (127.0.0.0/8, ::1) only and others get 403, since
                         they are unauthenticated and move the clock, queue faults, show state
    --allow-private-notify
                         on a non-loopback --listen address, also deliver notifications to
                         loopback and private addresses (this machine, 10/8, 192.168/16, ...);
                         never to the sandbox itself or a /sandbox/... path
    --allow-dev-keys-on-network
                         start on a non-loopback --listen address with the committed dev keys
                         (refused by default: they are public, so anyone reaching the sandbox
                         could sign as its merchant; use --generate-keys or --keys-dir instead)
    --quiet              no per-request log lines on stderr
    -h, --help           this text
    -V, --version        the version

The first line on stdout is `listening on http://ADDR`. Faults: send the header
`X-Sandbox-Fault: 500` (or delay=200ms, 429, 202, drop, drop_after, bad_signature,
stale_timestamp) with one request, or queue them for the next N requests with
`curl -X POST http://ADDR/sandbox/faults -H 'Content-Type: application/json' \\
      -d '{\"fault\":\"500\",\"count\":3}'`.
State: GET http://ADDR/sandbox/state. Event notifications go to the notify URL set with
设置商品券事件通知地址 (https, or http on loopback); their log: GET http://ADDR/sandbox/notifications.
Business clock: GET http://ADDR/sandbox/clock, POST it {\"advance_seconds\":86400} (or
{\"now\":\"2025-08-04T10:00:00+08:00\"}); it stays within years 0001..9999, a move past that is 400.
Admin endpoints (/sandbox/...) answer loopback peers only, unless --admin-from-anywhere, and
never a web page but the sandbox's own, GET http://ADDR/sandbox/ui (its state, the clock and
faults to act on): a request with an Origin header other than http://<its Host>, a cross-site Sec-Fetch-Site or a Host other
than localhost, a loopback address or the listen address is 403, and writes (POST, DELETE)
need Content-Type: application/json (415 otherwise). Any local process can still use them.
A notify URL may not point at the sandbox itself or /sandbox/...; from a sandbox on a network
not at loopback or private addresses either, unless --allow-private-notify. A signed request
is accepted once: the same nonce_str again while its timestamp is within 5 minutes is 401 SIGN_ERROR.
Stop with Ctrl-C (the state file is written).
";

struct Args {
    listen: SocketAddr,
    env_file: Option<PathBuf>,
    state_file: Option<PathBuf>,
    keys_dir: Option<PathBuf>,
    generate_keys: bool,
    mchid: Option<String>,
    brands: Vec<String>,
    start_time: Option<String>,
    rate_limit: bool,
    admin_from_anywhere: bool,
    allow_private_notify: bool,
    allow_dev_keys_on_network: bool,
    quiet: bool,
}

fn parse_args() -> Result<Option<Args>, String> {
    parse_args_from(std::env::args().skip(1))
}

/// The options in `args` (without the program name); `None` when `--help` or `--version` was
/// answered.
fn parse_args_from(argv: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut args = Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
        env_file: None,
        state_file: None,
        keys_dir: None,
        generate_keys: false,
        mchid: None,
        brands: Vec::new(),
        start_time: None,
        rate_limit: true,
        admin_from_anywhere: false,
        allow_private_notify: false,
        allow_dev_keys_on_network: false,
        quiet: false,
    };
    let mut it = argv;
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline.clone().or_else(|| it.next()).ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--listen" => {
                let v = value("--listen")?;
                args.listen = v.parse().map_err(|e| format!("--listen {v:?}: {e} (write e.g. 127.0.0.1:0)"))?;
            }
            "--env-file" => args.env_file = Some(value("--env-file")?.into()),
            "--state-file" => args.state_file = Some(value("--state-file")?.into()),
            "--keys-dir" => args.keys_dir = Some(value("--keys-dir")?.into()),
            "--mchid" => args.mchid = Some(value("--mchid")?),
            "--brand" => args.brands.push(value("--brand")?),
            "--start-time" => args.start_time = Some(value("--start-time")?),
            "--generate-keys" => args.generate_keys = true,
            "--no-rate-limit" => args.rate_limit = false,
            "--admin-from-anywhere" => args.admin_from_anywhere = true,
            "--allow-private-notify" => args.allow_private_notify = true,
            "--allow-dev-keys-on-network" => args.allow_dev_keys_on_network = true,
            "--quiet" | "-q" => args.quiet = true,
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(None);
            }
            "-V" | "--version" => {
                println!("wechatpay-sandbox {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            other => return Err(format!("unknown argument {other:?}; see --help")),
        }
    }
    if args.generate_keys && args.keys_dir.is_some() {
        return Err("--generate-keys and --keys-dir do not combine (--keys-dir generates when DIR is empty)".into());
    }
    Ok(Some(args))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wechatpay-sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wechatpay-sandbox: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let mut keys = match (&args.keys_dir, args.generate_keys) {
        (Some(dir), _) => SandboxKeys::load_or_generate(dir).map_err(|e| format!("--keys-dir: {e}"))?,
        (None, true) => SandboxKeys::generate().map_err(|e| e.to_string())?,
        (None, false) => SandboxKeys::dev(),
    };
    if let Some(mchid) = args.mchid {
        keys = keys.with_mchid(mchid);
    }
    let mut builder = Sandbox::builder()
        .listen(args.listen)
        .keys(keys)
        .rate_limit(args.rate_limit)
        .admin_from_anywhere(args.admin_from_anywhere)
        .allow_private_notify(args.allow_private_notify)
        .allow_dev_keys_on_network(args.allow_dev_keys_on_network)
        .log_requests(!args.quiet);
    if let Some(path) = &args.state_file {
        builder = builder.state_file(path);
    }
    if !args.brands.is_empty() {
        builder = builder.brands(args.brands.clone());
    }
    if let Some(time) = &args.start_time {
        builder = builder.start_time(time);
    }
    let sandbox = builder.start().await.map_err(|e| format!("cannot start: {e}"))?;
    // The env file is complete before the address is printed: whoever waits for that line can
    // source it at once.
    let keys_dir = match &args.env_file {
        Some(path) => Some(sandbox.write_env_file(path).map_err(|e| format!("--env-file {}: {e}", path.display()))?),
        None => None,
    };
    {
        use std::io::Write as _;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", sandbox.base_url());
        let k = sandbox.keys();
        let _ = writeln!(
            out,
            "merchant {} (serial {}), WeChat Pay public key {}",
            k.mchid, k.merchant_serial_no, k.public_key_id
        );
        if let (Some(path), Some(dir)) = (&args.env_file, &keys_dir) {
            let _ = writeln!(out, "client configuration written to {} (keys in {})", path.display(), dir.display());
            let _ = writeln!(out, "load it with: set -a; . {}; set +a", path.display());
        }
        if let Some(path) = &args.state_file {
            let n = sandbox.product_coupons().len();
            let _ = writeln!(out, "state file {} ({n} product coupon(s) loaded)", path.display());
        }
        let _ = out.flush();
    }
    wait_for_signal().await;
    eprintln!("wechatpay-sandbox: shutting down");
    sandbox.shutdown().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Args>, String> {
        parse_args_from(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn admin_endpoints_open_to_other_peers_only_with_the_flag() {
        let default = parse(&["--listen", "0.0.0.0:8080"]).unwrap().unwrap();
        assert!(!default.admin_from_anywhere, "loopback only unless asked");
        assert!(parse(&["--admin-from-anywhere"]).unwrap().unwrap().admin_from_anywhere);
        assert!(HELP.contains("--admin-from-anywhere"));
        assert!(parse(&["--admin-from-everywhere"]).is_err(), "a misspelt flag is refused, not ignored");
    }

    #[test]
    fn private_notify_targets_and_dev_keys_on_a_network_are_opt_in() {
        let default = parse(&["--listen", "0.0.0.0:8080"]).unwrap().unwrap();
        assert!(!default.allow_private_notify && !default.allow_dev_keys_on_network);
        let opened = parse(&["--allow-private-notify", "--allow-dev-keys-on-network"]).unwrap().unwrap();
        assert!(opened.allow_private_notify && opened.allow_dev_keys_on_network);
        for flag in ["--allow-private-notify", "--allow-dev-keys-on-network", "Content-Type: application/json"] {
            assert!(HELP.contains(flag), "{flag}");
        }
    }

    #[tokio::test]
    async fn dev_keys_on_a_network_address_are_refused_at_start_saying_why() {
        let network = Args { listen: "0.0.0.0:0".parse().unwrap(), quiet: true, ..parse(&[]).unwrap().unwrap() };
        let e = run(network).await.unwrap_err();
        assert!(e.contains("dev keys") && e.contains("--generate-keys"), "{e}");
        assert!(e.contains("--allow-dev-keys-on-network"), "{e}");
    }
}
