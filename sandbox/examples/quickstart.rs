//! Quickstart: start the sandbox in this process, then walk the documented flow with the
//! generated client: create the seed document's product coupon (多次优惠, 单品, 满减券), add a
//! stock bundle to it, read back what was created through the API (查询商品券, 查询商品券批次列表),
//! and print it. No credentials, no network beyond loopback.
//!
//! ```sh
//! cargo run -p wechatpay-sandbox --example quickstart
//! ```

use wechatpay_product_coupon::models::*;
use wechatpay_product_coupon::{Error, Validate as _};
use wechatpay_sandbox::{Sandbox, demo};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. The sandbox: loopback, a free port, its sandbox-only dev keys.
    let sandbox = Sandbox::builder().start().await?;
    println!("sandbox listening on {} (merchant {})", sandbox.base_url(), sandbox.keys().mchid);

    // 2. A client configured for it: the merchant's key signs, the sandbox's public key verifies.
    let client = sandbox.client_builder().build()?;

    // 3. 创建商品券: the 场景4 example (多次优惠-单品-满减券) as printed, with both original_price
    //    and combo_package_list (the page's prose says 二选一; its example, like every official
    //    SDK example, sends both, and so does this request). The client validates it before
    //    sending, and the sandbox validates it again.
    let request = demo::product_coupon_request("MANY_SINGLE_NORMAL_20250101_004");
    request.validate()?;
    let created = client.create_product_coupon(&request).await?;
    let first = created.stock_bundle.as_ref().map(|b| b.stock_bundle_id.as_str()).unwrap_or("-");
    println!(
        "\n1. 创建商品券: product_coupon_id {} ({}), created with stock bundle {first}",
        created.product_coupon_id,
        created.state.as_str()
    );

    // 4. 添加商品券批次组: three steps of 满100减1/2/3 元.
    let bundle_request = demo::stock_bundle_request("34657_20250101_123456", 3);
    let bundle = client.create_stock_bundle(&created.product_coupon_id, &bundle_request).await?;
    println!("2. 添加商品券批次组: stock_bundle_id {} ({} stocks)", bundle.stock_bundle_id, bundle.stock_list.len());

    // 5. A retry with the same out_request_no (say, after a lost response) creates nothing new.
    let again = client.create_stock_bundle(&created.product_coupon_id, &bundle_request).await?;
    println!("3. the same request again (same out_request_no): stock_bundle_id {}, nothing new", again.stock_bundle_id);

    // 6. Mistakes are answered as the docs say: an unknown coupon, or a SINGLE-mode coupon
    //    (添加商品券批次组 needs usage_mode = PROGRESSIVE_BUNDLE).
    let unknown = client.create_stock_bundle("1999999999", &demo::stock_bundle_request("UNKNOWN_COUPON_0001", 3)).await;
    print_refusal("4. 添加商品券批次组 on an unknown product_coupon_id", unknown);
    let single = client.create_product_coupon(&demo::single_product_coupon_request("SINGLE_NORMAL_0001")).await?;
    let refused =
        client.create_stock_bundle(&single.product_coupon_id, &demo::stock_bundle_request("ON_SINGLE_0001", 3)).await;
    print_refusal("5. 添加商品券批次组 on a SINGLE coupon", refused);

    // 7. Read it back through the API: 查询商品券 (the coupon, without stocks), then 查询商品券批次列表
    //    page after page (the stream follows next_page_token), and print it.
    let coupon = client.get_product_coupon(&created.product_coupon_id, demo::BRAND_ID).await?;
    let stocks =
        client.list_stocks(&coupon.product_coupon_id, demo::BRAND_ID).page_size(2).stream().collect_all().await?;
    println!("6. read back through the API:\n\n{}", summary(&coupon, &stocks));

    sandbox.shutdown().await;
    Ok(())
}

fn print_refusal<T: std::fmt::Debug>(what: &str, result: Result<T, Error>) {
    match result {
        Err(Error::Api(e)) => println!("{what}: HTTP {} {}: {}", e.status, e.code, e.message),
        other => println!("{what}: unexpected {other:?}"),
    }
}

fn money(fen: i64) -> String {
    format!("{}.{:02} 元", fen / 100, fen % 100)
}

fn summary(c: &ProductCouponEntity, stocks: &[StockEntity]) -> String {
    let mut out = format!("商品券 {}  「{}」\n", c.product_coupon_id, c.display_info.name);
    out += &format!(
        "  state {}   scope {}   type {}   usage_mode {}   brand {}\n",
        c.state.as_str(),
        c.scope.as_str(),
        c.type_.as_str(),
        c.usage_mode.as_str(),
        c.brand_id
    );
    if let Some(info) = &c.progressive_bundle_usage_info {
        out += &format!("  {} uses, {} day(s) apart\n", info.count, info.interval_days.unwrap_or(0));
    }
    if let Some(price) = c.display_info.original_price {
        out += &format!("  original price {}\n", money(price));
    }
    for combo in c.display_info.combo_package_list.iter().flatten() {
        let choices: Vec<String> =
            combo.choice_list.iter().map(|ch| format!("{} {} x{}", ch.name, money(ch.price), ch.count)).collect();
        out += &format!("  套餐 {} (pick {}): {}\n", combo.name, combo.pick_count, choices.join(", "));
    }
    let mut bundle = None;
    for s in stocks {
        let Some(info) = &s.stock_bundle_info else {
            out += &format!("  stock {}  {}\n", s.stock_id, s.state.as_str());
            continue;
        };
        if bundle != Some(&info.stock_bundle_id) {
            bundle = Some(&info.stock_bundle_id);
            out += &format!("  批次组 {}\n", info.stock_bundle_id);
        }
        let rule = s.progressive_bundle_usage_rule.as_ref();
        let normal = rule.and_then(|r| r.normal_coupon.as_ref()).map(|n| {
            if n.threshold == 0 {
                format!("立减 {}", money(n.discount_amount))
            } else {
                format!("满 {} 减 {}", money(n.threshold), money(n.discount_amount))
            }
        });
        let period = rule.map(|r| {
            format!(
                "{} .. {}",
                r.coupon_available_period.available_begin_time, r.coupon_available_period.available_end_time
            )
        });
        out += &format!(
            "    [{}] stock {}  {:<8} {}  code {}  sent {}/{}  available {}\n",
            info.stock_bundle_index,
            s.stock_id,
            s.state.as_str(),
            normal.unwrap_or_default(),
            s.coupon_code_mode.as_str(),
            s.sent_count_info.total_count,
            s.stock_send_rule.max_count,
            period.unwrap_or_default(),
        );
    }
    out
}
