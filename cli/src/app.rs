//! The clap command: global flags plus one subcommand per entry of the generated table.

use clap::{Arg, ArgAction, Command};

use crate::table::CommandSpec;

/// Which API family a subcommand belongs to (generated from `families.toml`).
pub use crate::generated::Family;

pub const DRY_RUN: &str = "dry-run";
pub const NO_VALIDATE: &str = "no-validate";
pub const SHOW_SIGNATURE: &str = "show-signature";
pub const BODY: &str = "body";
pub const FILE: &str = "file";
pub const META: &str = "meta";
pub const ALL: &str = "all";
pub const LINES: &str = "lines";

const AFTER_HELP: &str = "\
Configuration comes from the environment (as Client::from_env reads it):
  WECHATPAY_MCHID                 服务商 merchant id (required)
  WECHATPAY_MERCHANT_SERIAL_NO    serial number of the merchant API certificate (required)
  WECHATPAY_PRIVATE_KEY_PATH      merchant API private key, PEM file (required)
  WECHATPAY_PUBLIC_KEY_ID         WeChat Pay public key id (PUB_KEY_ID_...), with
  WECHATPAY_PUBLIC_KEY_PATH       its PEM file: public-key mode
  WECHATPAY_APIV3_KEY             APIv3 key: decrypts notifications, downloads platform certificates
  WECHATPAY_VERIFY_MODE           public_key | platform_certificate | both; by default public_key
                                  when the public key is set, platform_certificate otherwise
  WECHATPAY_BASE_URL              default https://api.mch.weixin.qq.com
  WECHATPAY_BACKUP_BASE_URL       default https://api2.mch.weixin.qq.com with the default base URL; `none` disables
  WECHATPAY_RATE_LIMIT_REDIS_URL  share the rate limit through this Redis with every other process pointed
                                  at it (also ..._REDIS_PREFIX, ..._REDIS_POLICY, ..._REDIS_TIMEOUT_MS,
                                  WECHATPAY_RATE_LIMIT_INSTANCES); needs a CLI built with --features redis.
                                  Without it, processes run in parallel each take the whole quota

Each subcommand takes only what its operation does: --body FILE (or - for standard input) where
the operation has a JSON body; --file PATH (and optionally --meta FILE) for uploads; --all (and
--lines) for paged lists, which fetches page after page, following next_page_token, and prints
every item as one JSON array, or with --lines one JSON item a line, each page as it arrives.

--no-validate sends the body exactly as given (only its JSON syntax is checked; the response is
still verified). --dry-run prints the request with its signature shown as <redacted>, since the
Authorization header could be replayed for five minutes; --show-signature prints it whole.
Text the server sends (messages, bodies, page tokens) is printed with control and bidirectional
characters escaped (as \\uXXXX inside JSON strings: the output stays the same JSON).

The response JSON is printed on standard output. Exit status: 0 success, 1 API, network or
verification error (status, code, message and Request-ID on standard error), 2 usage error,
3 invalid input (every problem with its JSON path), 4 configuration error.";

/// The whole command line.
pub fn command(commands: &'static [CommandSpec]) -> Command {
    let mut cmd = Command::new("wechatpay-product-coupon")
        .version(env!("CARGO_PKG_VERSION"))
        .about(
            "WeChat Pay APIv3 partner 商品券 (product coupon) APIs from the command line: one subcommand per operation",
        )
        .after_help(AFTER_HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new(DRY_RUN)
                .long(DRY_RUN)
                .display_order(1000)
                .action(ArgAction::SetTrue)
                .global(true)
                .help("Print the signed request (method, URL, headers, body) instead of sending it"),
        )
        .arg(
            Arg::new(NO_VALIDATE)
                .long(NO_VALIDATE)
                .display_order(1001)
                .action(ArgAction::SetTrue)
                .global(true)
                .help("Send the body as given: no client-side validation, only its JSON syntax checked"),
        )
        .arg(
            Arg::new(SHOW_SIGNATURE)
                .long(SHOW_SIGNATURE)
                .display_order(1002)
                .action(ArgAction::SetTrue)
                .global(true)
                .requires(DRY_RUN)
                .help("With --dry-run, print the real signature instead of <redacted> (it can be replayed)"),
        );
    for spec in commands {
        cmd = cmd.subcommand(subcommand(spec));
    }
    cmd
}

/// Configuration of a family whose brand signs its own requests (as its client's `from_env`
/// reads it); the prefix and scheme are the family's.
fn brand_after_help(family: Family) -> String {
    format!(
        "\
A brand calling its own APIs: paths under {prefix}, requests signed
{scheme} with the 品牌API证书, Wechatpay-Serial on every request, no
brand_id anywhere else. Configuration:
  WECHATPAY_BRAND_ID                  brand id (required)
  WECHATPAY_BRAND_SERIAL_NO           serial number of the 品牌API证书 (required)
  WECHATPAY_BRAND_PRIVATE_KEY_PATH    its private key, PEM file (required)
  WECHATPAY_BRAND_PUBLIC_KEY_ID       the WeChat Pay public key id bound to the brand (required), with
  WECHATPAY_BRAND_PUBLIC_KEY_PATH     its PEM file (required): responses are verified with it
  WECHATPAY_BRAND_API_KEY             品牌API密钥: decrypts notifications
  WECHATPAY_BASE_URL, WECHATPAY_BACKUP_BASE_URL, WECHATPAY_RATE_LIMIT_*   as for the partner commands",
        prefix = family.path_prefix(),
        scheme = family.auth_scheme(),
    )
}

/// `cmd` plus a subcommand group per further family (`brand`), each with the family's table.
pub fn with_families(mut cmd: Command) -> Command {
    for &family in Family::ALL {
        let Some(name) = family.group() else { continue };
        let mut group = Command::new(name)
            .about(format!("The {} family: the same operations under {}", family.title(), family.path_prefix()))
            .subcommand_required(true)
            .arg_required_else_help(true);
        if family.brand_signs() {
            group = group.after_help(brand_after_help(family));
        }
        for spec in family.commands() {
            group = group.subcommand(subcommand(spec));
        }
        cmd = cmd.subcommand(group);
    }
    cmd
}

/// One operation's subcommand: its parameters, then only the input options it takes.
fn subcommand(spec: &'static CommandSpec) -> Command {
    let mut cmd = Command::new(spec.name).about(spec.about).long_about(spec.long_about);
    for (i, p) in spec.params.iter().enumerate() {
        // A value starting with `-` is given as `--flag=-1`.
        let arg = Arg::new(p.flag).long(p.flag).value_name(p.value_name).help(p.help).required(p.required);
        cmd = cmd.arg(arg.display_order(i));
    }
    if let Some(body) = &spec.body {
        cmd = cmd.arg(
            Arg::new(BODY)
                .long(BODY)
                .display_order(900)
                .value_name("FILE")
                .required(true)
                .help(format!("The JSON request body ({}): a file, or - for standard input", body.model)),
        );
    }
    if let Some(upload) = &spec.upload {
        cmd = cmd
            .arg(
                Arg::new(FILE)
                    .long(FILE)
                    .display_order(900)
                    .value_name("PATH")
                    .required(true)
                    .help("The file to upload; its media type comes from the extension (.jpg, .jpeg, .png) or content"),
            )
            .arg(Arg::new(META).long(META).display_order(901).value_name("FILE").help(format!(
                "The upload's meta JSON ({}): a file, or - for standard input [default: built from --file]",
                upload.meta.model
            )));
    }
    if let Some(pages) = &spec.pages {
        let mut all = Arg::new(ALL)
            .long(ALL)
            .display_order(900)
            .action(ArgAction::SetTrue)
            .help("Fetch every page (following next_page_token) and print all items as one JSON array");
        if let Some(token) = spec.params.iter().find(|p| p.wire == pages.page_token) {
            all = all.conflicts_with(token.flag);
        }
        cmd = cmd.arg(all).arg(
            Arg::new(LINES)
                .long(LINES)
                .display_order(901)
                .action(ArgAction::SetTrue)
                .requires(ALL)
                .help("With --all, print one JSON item a line, each page as soon as it arrives"),
        );
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::command;
    use crate::generated::COMMANDS;

    #[test]
    fn the_command_line_is_consistent() {
        // clap checks names, flags and ids for clashes here.
        command(COMMANDS).debug_assert();
        super::with_families(command(COMMANDS)).debug_assert();
    }

    #[test]
    fn the_brand_group_has_every_operation_without_brand_id() {
        use crate::generated::brand::COMMANDS as BRAND;
        let cmd = super::with_families(command(COMMANDS));
        let group = cmd.find_subcommand("brand").expect("the brand group");
        assert_eq!(BRAND.len(), COMMANDS.len());
        assert!(COMMANDS.iter().all(|c| c.name != "brand"), "no operation is named like the group");
        for spec in BRAND {
            let sub = group.find_subcommand(spec.name).expect("a subcommand per operation");
            assert!(sub.get_arguments().all(|a| a.get_long() != Some("brand-id")), "{}", spec.name);
            assert!(spec.long_about.contains("/brand/marketing/product-coupon/"), "{}", spec.name);
        }
        let partner = cmd.find_subcommand("get-stock").expect("partner get-stock");
        assert!(partner.get_arguments().any(|a| a.get_long() == Some("brand-id")));
    }

    #[test]
    fn every_operation_has_its_subcommand_and_flags() {
        let cmd = command(COMMANDS);
        for spec in COMMANDS {
            let sub = cmd.find_subcommand(spec.name).expect("a subcommand per operation");
            for p in spec.params {
                assert!(sub.get_arguments().any(|a| a.get_long() == Some(p.flag)), "--{}", p.flag);
            }
        }
        let create = COMMANDS.iter().find(|c| c.operation_id == "create_stock_bundle").expect("in the spec");
        assert_eq!(create.name, "create-stock-bundle");
        assert_eq!(create.params[0].flag, "product-coupon-id");
    }

    #[test]
    fn input_options_exist_only_where_they_apply() {
        let cmd = command(COMMANDS);
        let has = |sub: &str, flag: &str| {
            let sub = cmd.find_subcommand(sub).expect("a subcommand");
            sub.get_arguments().any(|a| a.get_long() == Some(flag))
        };
        for spec in COMMANDS {
            assert_eq!(has(spec.name, "body"), spec.body.is_some(), "{}", spec.name);
            assert_eq!(has(spec.name, "file"), spec.upload.is_some(), "{}", spec.name);
            assert_eq!(has(spec.name, "all"), spec.pages.is_some(), "{}", spec.name);
        }
        assert!(!has("get-stock", "body") && has("create-stock", "body"));
        assert!(has("upload-image", "file") && has("upload-image", "meta") && !has("upload-image", "body"));
        assert!(has("list-stocks", "all") && has("list-stocks", "lines"));
    }
}
