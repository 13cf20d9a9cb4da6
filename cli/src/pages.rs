//! `--all` for paged list operations: page after page, each requested only once the previous
//! one is in, following `next_page_token` until the server gives none (or an empty one).
//!
//! The items go out as one JSON array once every page is in (a failed page prints nothing on
//! standard output), or with `--lines` as one JSON item a line, each page as soon as it
//! arrives (a failed page leaves the items before it printed, then the error).

use std::io::Write as _;

use crate::call::{AnyClient, Call};
use crate::escape::{escape_json, escape_text};
use crate::report::{self, Failure};
use crate::table::PageSpec;
use serde_json::Value;

/// Fetches and prints every item of `call`'s listing.
pub async fn print_all(call: &Call<'_>, pages: &PageSpec, client: &AnyClient, lines: bool) -> Result<(), Failure> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let body = call.send(client, token.as_deref()).await?;
        // Items as WeChat Pay sent them, unknown fields included (not the typed re-serialisation).
        let page: Value =
            serde_json::from_slice(&body).map_err(|e| Failure::other(format!("the page is not JSON: {e}")))?;
        let items = match page.get(pages.items) {
            Some(Value::Array(items)) => items.clone(),
            None | Some(Value::Null) => Vec::new(),
            Some(other) => {
                // Server JSON: shown escaped, like every other piece of it.
                let shown = escape_json(&other.to_string()).into_owned();
                return Err(Failure::other(format!("the page's `{}` is not a list: {shown}", pages.items)));
            }
        };
        if lines {
            let mut text = String::new();
            for item in &items {
                text.push_str(&report::json_line(item)?);
            }
            write_now(&text)?;
        } else {
            all.extend(items);
        }
        match page.get(pages.next_page_token).and_then(Value::as_str).filter(|t| !t.is_empty()) {
            None => break,
            // A server repeating a token would make this loop forever.
            Some(next) if seen.iter().any(|s| s == next) => {
                return Err(Failure::other(format!(
                    "the server returned page token \"{}\" twice; stopping the listing",
                    escape_text(next)
                )));
            }
            Some(next) => {
                seen.push(next.to_owned());
                token = Some(next.to_owned());
            }
        }
    }
    if lines { Ok(()) } else { report::print_json(&Value::Array(all)) }
}

/// Writes JSON lines at once (`report::json_line` escaped them; escaping again changes nothing).
fn write_now(text: &str) -> Result<(), Failure> {
    let text = escape_json(text);
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::other(format!("cannot write the output: {e}")))
}
