//! Paginated list operations as an async stream: pages are fetched on demand, one request at a
//! time, following `next_page_token` until the server stops returning one.

use crate::error::Error;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// One page: its items and the token of the next page (`None` on the last page).
pub type Page<T> = (Vec<T>, Option<String>);

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send>>;
type FetchPage<T> = Box<dyn FnMut(Option<String>) -> PageFuture<T> + Send>;

/// The items of every page of a list operation, as a [`futures_core::Stream`].
///
/// Nothing is requested until the stream is polled; the next page is requested only when the
/// items of the current one are used up. An error ends the stream after it is yielded, so a
/// failed page is never skipped silently. A server that repeats a page token would loop
/// forever; the stream stops instead and yields an error.
pub struct PageStream<T> {
    fetch: FetchPage<T>,
    buffered: VecDeque<T>,
    pending: Option<PageFuture<T>>,
    next_token: Option<String>,
    seen_tokens: Vec<String>,
    done: bool,
}

impl<T> PageStream<T> {
    /// A stream whose pages come from `fetch(page_token)`; the first call gets `None`.
    pub fn new<F, Fut>(mut fetch: F) -> Self
    where
        F: FnMut(Option<String>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
    {
        PageStream {
            fetch: Box::new(move |token| Box::pin(fetch(token))),
            buffered: VecDeque::new(),
            pending: None,
            next_token: None,
            seen_tokens: Vec::new(),
            done: false,
        }
    }

    /// The next item, fetching the next page when needed; `None` after the last item.
    pub async fn next_item(&mut self) -> Option<Result<T, Error>>
    where
        T: Unpin,
    {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next_item(cx)).await
    }

    /// Collects every item of every page.
    pub async fn collect_all(mut self) -> Result<Vec<T>, Error>
    where
        T: Unpin,
    {
        let mut all = Vec::new();
        while let Some(item) = self.next_item().await {
            all.push(item?);
        }
        Ok(all)
    }

    fn poll_next_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, Error>>> {
        loop {
            if let Some(item) = self.buffered.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if self.done {
                return Poll::Ready(None);
            }
            if self.pending.is_none() {
                let token = self.next_token.take();
                self.pending = Some((self.fetch)(token));
            }
            let fut = self.pending.as_mut().expect("set above");
            match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    self.pending = None;
                    match result {
                        Err(e) => {
                            self.done = true;
                            return Poll::Ready(Some(Err(e)));
                        }
                        Ok((items, next)) => {
                            self.buffered.extend(items);
                            match next.filter(|t| !t.is_empty()) {
                                None => self.done = true,
                                Some(token) if self.seen_tokens.contains(&token) => {
                                    self.done = true;
                                    self.buffered.clear();
                                    return Poll::Ready(Some(Err(Error::Config(format!(
                                        "the server returned page token {token:?} twice; stopping the listing"
                                    )))));
                                }
                                Some(token) => {
                                    self.seen_tokens.push(token.clone());
                                    self.next_token = Some(token);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

impl<T: Unpin> futures_core::Stream for PageStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_next_item(cx)
    }
}

impl<T> std::fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("buffered", &self.buffered.len())
            .field("next_token", &self.next_token)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    type Asked = Arc<Mutex<Vec<Option<String>>>>;

    fn pages(script: Vec<Result<Page<u32>, ()>>) -> (PageStream<u32>, Asked) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&asked);
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let stream = PageStream::new(move |token| {
            log.lock().unwrap().push(token);
            let next = script.lock().unwrap().pop_front().expect("asked for a page the test did not script");
            async move { next.map_err(|()| Error::Config("page failed".into())) }
        });
        (stream, asked)
    }

    #[tokio::test]
    async fn follows_tokens_and_fetches_lazily() {
        let (mut stream, asked) =
            pages(vec![Ok((vec![1, 2], Some("t1".into()))), Ok((vec![], Some("t2".into()))), Ok((vec![3], None))]);
        assert!(asked.lock().unwrap().is_empty(), "nothing is fetched before polling");
        assert_eq!(stream.next_item().await.unwrap().unwrap(), 1);
        assert_eq!(asked.lock().unwrap().len(), 1, "one page for the first item");
        assert_eq!(stream.collect_all().await.unwrap(), vec![2, 3]);
        assert_eq!(*asked.lock().unwrap(), [None, Some("t1".to_owned()), Some("t2".to_owned())]);
    }

    #[tokio::test]
    async fn an_error_is_yielded_then_the_stream_ends() {
        let (mut stream, _) = pages(vec![Ok((vec![1], Some("t1".into()))), Err(())]);
        assert_eq!(stream.next_item().await.unwrap().unwrap(), 1);
        assert!(stream.next_item().await.unwrap().is_err());
        assert!(stream.next_item().await.is_none());
    }

    #[tokio::test]
    async fn a_repeated_token_stops_instead_of_looping() {
        let (stream, _) = pages(vec![Ok((vec![1], Some("t".into()))), Ok((vec![2], Some("t".into())))]);
        let err = stream.collect_all().await.unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
    }
}
