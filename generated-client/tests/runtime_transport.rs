//! The request and transport layers against a real HTTP server on 127.0.0.1: a dry run is the
//! exact request the transport sends (a multipart upload included), and a user's test can
//! record calls and replay them without a server.

mod support;

use std::sync::Arc;

use support::*;
use wechatpay_product_coupon::models::{CreateProductCouponRequest, ImageUploadMeta, StockState};
use wechatpay_product_coupon::runtime::request::RequestParts;
use wechatpay_product_coupon::runtime::transport::{RecordingTransport, ReplayTransport, ReqwestTransport};
use wechatpay_product_coupon::runtime::upload::{MultipartLayout, UploadFile};
use wechatpay_product_coupon::{CallOptions, Client, ClientBuilder, Error, PreparedRequest};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01";
const UPLOAD_RESPONSE: &str = r#"{"media_url":"https://wxpaylogo.qpic.cn/xxx.png"}"#;
const COUPON_BODY: &str = r#"{"product_coupon_id":"1000000013","state":"AUDITING","brand_id":"120344"}"#;

fn builder(url: &str) -> ClientBuilder {
    Client::builder()
        .mchid(MCHID)
        .merchant_serial_no(MERCHANT_SERIAL)
        .private_key_pem(MERCHANT_KEY_PEM)
        .wechatpay_public_key_pem(PUB_KEY_ID, WECHATPAY_PUB_PEM)
        .base_url(url)
}

async fn signed_server(body: &'static str) -> TestServer {
    let keys = Arc::new(WechatKeys::load());
    TestServer::start(move |_, _| Reply::signed(200, body, &keys.public_key_mode, PUB_KEY_ID)).await
}

fn upload_meta() -> ImageUploadMeta {
    serde_json::from_value(serde_json::json!({
        "filename": "logo.png",
        "sha256": UploadFile::new("logo.png", "image/png", PNG).sha256_hex(),
    }))
    .unwrap()
}

#[tokio::test]
async fn an_upload_dry_run_shows_the_multipart_body_exactly_as_sent() {
    let srv = signed_server(UPLOAD_RESPONSE).await;
    let client = builder(&srv.url()).build().unwrap();
    let file = UploadFile::new("logo.png", "image/png", PNG);
    let meta = upload_meta();

    // The dry run of the typed call: nothing is sent, the request comes back as a value.
    let prepared = client.upload_image(&meta, &file).prepare().unwrap();
    assert!(srv.requests().is_empty(), "a dry run sends nothing");

    // The same call for real: the server sees exactly the dry run's body and content type.
    client.upload_image(&meta, &file).await.unwrap();
    let sent = srv.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body, prepared.body, "the multipart body on the wire is the dry run's, byte for byte");
    assert_eq!(sent[0].header("Content-Type"), prepared.header("Content-Type"));
    assert!(prepared.header("Content-Type").unwrap().starts_with("multipart/form-data; boundary=wechatpay-"));
    assert_eq!(format!("{}{}", srv.url(), sent[0].target), prepared.url);
    // The body holds the meta and the file; the signature covers the meta JSON alone.
    let meta_json = serde_json::to_vec(&meta).unwrap();
    assert_eq!(prepared.signed_body, meta_json);
    assert!(prepared.body.windows(meta_json.len()).any(|w| w == meta_json.as_slice()));
    assert!(prepared.body.windows(PNG.len()).any(|w| w == PNG));
    let as_signed = Request { body: prepared.signed_body.clone(), ..sent[0].clone() };
    as_signed.check_merchant_signature().expect("the upload is signed over its meta JSON");

    // The value API gives the same request without going through an error.
    let parts = RequestParts {
        meta: &wechatpay_product_coupon::generated::operations::UPLOAD_IMAGE,
        path: "/v3/marketing/partner/product-coupon/media/upload-image".into(),
        query: Vec::new(),
        body: Some(meta_json),
        warnings: Vec::new(),
    };
    let layout = MultipartLayout { meta_field: "meta", file_field: "file" };
    let value = client.prepare_upload(&parts, &layout, &file).unwrap();
    assert_eq!((&value.body, value.header("Content-Type")), (&prepared.body, prepared.header("Content-Type")));
}

#[tokio::test]
async fn a_json_dry_run_is_what_the_transport_is_given() {
    let srv = signed_server(COUPON_BODY).await;
    let recording =
        Arc::new(RecordingTransport::new(ReqwestTransport::new(std::time::Duration::from_secs(5)).unwrap()));
    let client = builder(&srv.url()).transport(recording.clone()).build().unwrap();
    let parts = query_parts("1000000013", "120344");
    let prepared = client.prepare(&parts).unwrap();
    let _: serde_json::Value = client.execute(parts).await.unwrap();
    let exchanges = recording.exchanges();
    assert_eq!(exchanges.len(), 1);
    let sent = &exchanges[0].request;
    // Everything but the per-attempt signature (fresh timestamp and nonce) is identical.
    assert_eq!((&sent.method, &sent.url, &sent.body), (&prepared.method, &prepared.url, &prepared.body));
    let names =
        |r: &wechatpay_product_coupon::PreparedRequest| r.headers.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(sent), names(&prepared));
    assert_eq!(sent.header("Wechatpay-Serial"), Some(PUB_KEY_ID));
    // And the server received what the transport was given.
    assert_eq!(srv.requests()[0].header("Authorization"), sent.header("Authorization"));
}

/// Everything of two signed requests but the per-attempt signature (a fresh timestamp and nonce).
fn same_but_signature(sent: &PreparedRequest, prepared: &PreparedRequest) {
    assert_eq!(
        (&sent.method, &sent.url, &sent.canonical_url, &sent.body, &sent.signed_body),
        (&prepared.method, &prepared.url, &prepared.canonical_url, &prepared.body, &prepared.signed_body)
    );
    let unsigned =
        |r: &PreparedRequest| r.headers.iter().filter(|(n, _)| n != "Authorization").cloned().collect::<Vec<_>>();
    assert_eq!(unsigned(sent), unsigned(prepared));
    let names = |r: &PreparedRequest| r.headers.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(sent), names(prepared));
}

#[tokio::test]
async fn a_prepared_typed_call_is_what_the_transport_is_given() {
    let srv = signed_server(COUPON_BODY).await;
    let recording =
        Arc::new(RecordingTransport::new(ReqwestTransport::new(std::time::Duration::from_secs(5)).unwrap()));
    let client = builder(&srv.url()).transport(recording.clone()).build().unwrap();
    let sent = |i: usize| recording.exchanges()[i].request.clone();

    // Path parameters (percent-encoded) and a required query parameter.
    let call = client.get_product_coupon("10000/13", "120344");
    let prepared = call.prepare().unwrap();
    let _ = call.await; // the canned body is not a whole ProductCouponEntity; the request is what matters
    same_but_signature(&sent(0), &prepared);
    assert!(prepared.url.ends_with("/product-coupons/10000%2F13?brand_id=120344"), "{}", prepared.url);

    // Optional query parameters set by name on the call builder.
    let call = client.list_stocks("1000000013", "120344").state(&StockState::Sending).page_size(2);
    let prepared = call.prepare().unwrap();
    let _ = call.await; // the canned body is not a page; the request is what matters
    same_but_signature(&sent(1), &prepared);
    assert!(
        prepared.canonical_url.ends_with("?brand_id=120344&state=SENDING&page_size=2"),
        "{}",
        prepared.canonical_url
    );

    // A JSON body: the exact bytes, signed.
    let request: CreateProductCouponRequest =
        serde_json::from_str(include_str!("fixtures/create_product_coupon.request.1.json")).unwrap();
    let prepared = client.create_product_coupon(&request).prepare().unwrap();
    let _ = client.create_product_coupon(&request).await;
    same_but_signature(&sent(2), &prepared);
    assert_eq!(prepared.body, serde_json::to_vec(&request).unwrap());
    assert_eq!(srv.requests()[2].body, prepared.body);
    let as_received = Request { headers: prepared.headers.clone(), ..srv.requests()[2].clone() };
    as_received.check_merchant_signature().expect("the prepared signature is valid for what was sent");
    assert_eq!(recording.exchanges().len(), 3, "preparing sent nothing");
}

#[tokio::test]
async fn a_typed_dry_run_is_validated_exactly_like_the_call() {
    let srv = signed_server(COUPON_BODY).await;
    let client = builder(&srv.url()).build().unwrap();
    // An empty path parameter would address another resource: both refuse it, with the same
    // violations, before any I/O.
    let Err(Error::Validation(dry)) = client.get_product_coupon("", "120344").prepare() else {
        panic!("the dry run validates")
    };
    let Err(Error::Validation(sent)) = client.get_product_coupon("", "120344").await else {
        panic!("the call validates")
    };
    assert_eq!(dry.to_string(), sent.to_string());
    assert!(dry.to_string().contains("product_coupon_id"), "{dry}");
    let Err(Error::Validation(dry)) = client.list_stocks("1000000013", "120344").page_size(0).prepare() else {
        panic!("the dry run validates optional query parameters")
    };
    let Err(Error::Validation(sent)) = client.list_stocks("1000000013", "120344").page_size(0).await else {
        panic!("the call validates optional query parameters")
    };
    assert_eq!(dry.to_string(), sent.to_string());
    assert!(srv.requests().is_empty());
    // With validation off, both go ahead alike.
    let lax = client.with_options(CallOptions::new().skip_validation(true));
    assert!(lax.list_stocks("1000000013", "120344").page_size(0).prepare().is_ok());
}

#[tokio::test]
async fn calls_recorded_against_a_server_replay_without_it() {
    // Record: a real call against a loopback server, through a recording transport.
    let srv = signed_server(COUPON_BODY).await;
    let recording =
        Arc::new(RecordingTransport::new(ReqwestTransport::new(std::time::Duration::from_secs(5)).unwrap()));
    let live = builder(&srv.url()).transport(recording.clone()).build().unwrap();
    let recorded = live.execute::<serde_json::Value>(query_parts("1000000013", "120344")).await.unwrap();
    assert_eq!(srv.requests().len(), 1);
    drop(srv);

    // Replay: the same call answered from the recording; the response is still verified.
    let replay = Arc::new(recording.replay());
    let offline = builder("http://127.0.0.1:9").transport(replay.clone()).build().unwrap();
    let replayed = offline.execute::<serde_json::Value>(query_parts("1000000013", "120344")).await.unwrap();
    assert_eq!(replayed, recorded);
    let asked = replay.requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].canonical_url, recording.exchanges()[0].request.canonical_url);
    assert_eq!(replay.remaining(), 0);

    // A replayed response whose body was changed fails verification, as a real one would.
    let mut tampered = recording.exchanges()[0].response.clone();
    tampered.body = COUPON_BODY.replace("AUDITING", "EFFECTIVE").into_bytes();
    let client = builder("http://127.0.0.1:9").transport(ReplayTransport::new([tampered])).build().unwrap();
    let err = client.execute::<serde_json::Value>(query_parts("1000000013", "120344")).await.unwrap_err();
    assert!(matches!(err, Error::Verification(_)), "{err}");

    // Nothing left to replay: a transport error, not a hang.
    let empty = builder("http://127.0.0.1:9")
        .transport(ReplayTransport::default())
        .retry_policy(wechatpay_product_coupon::RetryPolicy::attempts(1))
        .build()
        .unwrap();
    let err = empty.execute::<serde_json::Value>(query_parts("1000000013", "120344")).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err}");
}
