//! The response as WeChat Pay sent it. The library verifies a response and decodes it into the
//! typed model; the CLI prints the body itself, so a field the spec does not know yet (or a
//! key order, or a number's spelling) reaches the user unchanged. The body is taken from the
//! transport: a call that returned `Ok` was verified, and its response is the last one the
//! transport received.

use std::sync::Mutex;

use wechatpay_product_coupon::PreparedRequest;
use wechatpay_product_coupon::runtime::transport::{Transport, TransportFuture};

/// Wraps a transport and keeps the body of the last response it received.
pub struct LastBody<T> {
    inner: T,
    last: Mutex<Option<Vec<u8>>>,
}

impl<T: Transport> LastBody<T> {
    pub fn new(inner: T) -> Self {
        LastBody { inner, last: Mutex::new(None) }
    }

    /// The last response's body, taken (each call's own response is taken once).
    pub fn take(&self) -> Option<Vec<u8>> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

impl<T: Transport> Transport for LastBody<T> {
    fn send<'a>(&'a self, request: &'a PreparedRequest) -> TransportFuture<'a> {
        Box::pin(async move {
            let response = self.inner.send(request).await?;
            // A platform-certificate download the client makes on the way (an unknown serial
            // in certificate mode) is not the call's response.
            if !request.canonical_url.starts_with("/v3/certificates") {
                *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(response.body.clone());
            }
            Ok(response)
        })
    }
}
