//! The clap command: global flags plus one subcommand per entry of the generated table.

use clap::{Arg, ArgAction, Command};

use crate::table::CommandSpec;

pub const DRY_RUN: &str = "dry-run";
pub const NO_VALIDATE: &str = "no-validate";
pub const BODY: &str = "body";

const AFTER_HELP: &str = "\
Configuration comes from the environment (as Client::from_env reads it):
  WECHATPAY_MCHID                 服务商 merchant id (required)
  WECHATPAY_MERCHANT_SERIAL_NO    serial number of the merchant API certificate (required)
  WECHATPAY_PRIVATE_KEY_PATH      merchant API private key, PEM file (required)
  WECHATPAY_PUBLIC_KEY_ID         WeChat Pay public key id (PUB_KEY_ID_...), with
  WECHATPAY_PUBLIC_KEY_PATH       its PEM file: public-key mode
  WECHATPAY_APIV3_KEY             APIv3 key: platform-certificate mode
  WECHATPAY_BASE_URL              default https://api.mch.weixin.qq.com
  WECHATPAY_BACKUP_BASE_URL       default https://api2.mch.weixin.qq.com with the default base URL; `none` disables

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
                .help("Skip client-side validation and the unknown-key check (the server still validates)"),
        )
        .arg(
            Arg::new(BODY)
                .long(BODY)
                .display_order(1002)
                .value_name("FILE")
                .global(true)
                .help("The JSON request body: a file, or - for standard input"),
        );
    for spec in commands {
        cmd = cmd.subcommand(subcommand(spec));
    }
    cmd
}

fn subcommand(spec: &'static CommandSpec) -> Command {
    let mut cmd = Command::new(spec.name).about(spec.about).long_about(spec.long_about);
    for (i, p) in spec.params.iter().enumerate() {
        // A value starting with `-` is given as `--flag=-1`.
        let arg = Arg::new(p.flag).long(p.flag).value_name(p.value_name).help(p.help).required(p.required);
        cmd = cmd.arg(arg.display_order(i));
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
}
