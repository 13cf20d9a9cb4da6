//! Brand quickstart (品牌直连): the main quickstart's flow as a brand calling the APIs itself,
//! with `BrandClient` against the sandbox in this process: create the seed document's product
//! coupon (多次优惠, 单品, 满减券), add a stock bundle, send the bundle to a user, confirm the
//! first coupon and use it. The code is the partner's minus `brand_id`: the brand is named by
//! its Authorization header (`WECHATPAY-BRAND-SHA256-RSA2048 brand_id="..."`), and every request
//! carries `Wechatpay-Serial`. No credentials, no network beyond loopback.
//!
//! ```sh
//! cargo run -p wechatpay-sandbox --example brand_quickstart
//! ```

use wechatpay_product_coupon::brand::BrandClient;
use wechatpay_product_coupon::brand::models::*;
use wechatpay_sandbox::{RunningSandbox, Sandbox, demo};

const OPENID: &str = "oBrandQuickstartUser";
const APPID: &str = "wx4fd12345678";

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The sandbox, with its business clock inside the demo stocks' available periods (August
    // 2025), so that their coupons can be sent and used.
    let sandbox = Sandbox::builder().start_time(demo::DEMO_TIME).start().await?;
    print!("{}", run(&sandbox).await?);
    sandbox.shutdown().await;
    Ok(())
}

/// The flow, returning what it prints (the sandbox tests run it too).
pub async fn run(sandbox: &RunningSandbox) -> Result<String, Box<dyn std::error::Error>> {
    let mut out = format!("sandbox listening on {} (brand {})\n", sandbox.base_url(), sandbox.keys().brand_id);

    // A brand client: the 品牌API证书 key signs, the WeChat Pay public key bound to the brand
    // verifies. Outside the sandbox: `BrandClient::from_env()` (the WECHATPAY_BRAND_* variables).
    let client: BrandClient = sandbox.brand_client_builder().build()?;

    // 1. 创建商品券: the seed document's 场景4 coupon, without brand_id.
    let request: CreateProductCouponRequest = demo::for_brand(&demo::product_coupon_request("BRAND_QS_0001"))?;
    let created = client.create_product_coupon(&request).await?;
    let id = created.product_coupon_id.clone();
    out += &format!("1. 创建商品券: product_coupon_id {id} ({})\n", created.state.as_str());

    // 2. 添加商品券批次组: three steps of 满100减1/2/3 元.
    let bundle_request: CreateStockBundleRequest = demo::for_brand(&demo::stock_bundle_request("BRAND_QS_0002", 3))?;
    let bundle = client.create_stock_bundle(&id, &bundle_request).await?;
    out += &format!(
        "2. 添加商品券批次组: stock_bundle_id {} ({} stocks)\n",
        bundle.stock_bundle_id,
        bundle.stock_list.len()
    );

    // 3. 向用户发放商品券批次组: one coupon per step, each CONFIRMING until confirmed. The bundle
    //    created with the coupon hands out WeChat Pay's codes (the added one takes uploaded
    //    codes: 预上传券Code first).
    let first_bundle = created.stock_bundle.as_ref().ok_or("the coupon was created without its bundle")?;
    let send = SendCouponBundleRequest::builder()
        .product_coupon_id(&id)
        .stock_bundle_id(&first_bundle.stock_bundle_id)
        .appid(APPID)
        .send_request_no("BRAND_QS_SEND_0001")
        .build()?;
    let sent = client.send_coupon_bundle(OPENID, &send).await?;
    let first = sent.user_product_coupon_list.first().ok_or("the bundle sent no coupon")?;
    out += &format!(
        "3. 向用户发放商品券批次组: user_coupon_bundle_id {}, {} coupons, the first {} ({})\n",
        sent.user_coupon_bundle_id,
        sent.user_product_coupon_list.len(),
        first.coupon_code,
        first.coupon_state.as_str()
    );

    // 4. 确认发放用户商品券 (what a brand's callback does on PRODUCT_COUPON.SEND).
    let confirm = ConfirmUserCouponRequest::builder()
        .product_coupon_id(&id)
        .stock_id(&first.stock.stock_id)
        .appid(APPID)
        .out_request_no("BRAND_QS_CONFIRM_0001")
        .build()?;
    let confirmed = client.confirm_user_coupon(OPENID, &first.coupon_code, &confirm).await?;
    out += &format!("4. 确认发放用户商品券: {} ({})\n", confirmed.coupon_code, confirmed.coupon_state.as_str());

    // 5. 核销用户商品券, now (by the sandbox's business clock).
    let use_request = UseUserCouponRequest::builder()
        .product_coupon_id(&id)
        .stock_id(&first.stock.stock_id)
        .appid(APPID)
        .use_time(sandbox.now())
        .out_request_no("BRAND_QS_USE_0001")
        .build()?;
    let used = client.use_user_coupon(OPENID, &first.coupon_code, &use_request).await?;
    out += &format!("5. 核销用户商品券: {} ({})\n", used.coupon_code, used.coupon_state.as_str());
    Ok(out)
}
