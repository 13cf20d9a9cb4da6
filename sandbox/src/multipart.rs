//! A small `multipart/form-data` reader for the upload operations (图片上传): WeChat Pay's
//! upload form has a `meta` part (the JSON the request signature covers) and a `file` part.

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// `name` of its `Content-Disposition`.
    pub name: String,
    /// `filename` of its `Content-Disposition`, if any.
    pub filename: Option<String>,
    /// Its `Content-Type`, if any.
    pub content_type: Option<String>,
    /// Its bytes.
    pub data: Vec<u8>,
}

/// The boundary of a `multipart/form-data` content type, `None` for any other type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let media = params.next()?.trim();
    if !media.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case("boundary").then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    // Slicing with `get`: no index arithmetic on the request body can panic.
    (from..=hay.len() - needle.len()).find(|&i| hay.get(i..i.saturating_add(needle.len())) == Some(needle))
}

/// A `name="value"` parameter of a header value (quotes optional).
fn header_param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Splits a form body into its parts.
pub(crate) fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    if boundary.is_empty() || boundary.len() > 200 {
        return Err("the multipart boundary is empty or too long".into());
    }
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut at = find(body, delimiter, 0).ok_or("the body does not contain the multipart boundary")?;
    let mut parts = Vec::new();
    loop {
        at = at.saturating_add(delimiter.len());
        let rest = body.get(at..).unwrap_or_default();
        if rest.starts_with(b"--") {
            return Ok(parts); // the closing delimiter
        }
        if !rest.starts_with(b"\r\n") {
            return Err("a multipart boundary is not followed by CRLF".into());
        }
        at += 2;
        let headers_end = find(body, b"\r\n\r\n", at).ok_or("a multipart part has no end of headers")?;
        let headers = std::str::from_utf8(body.get(at..headers_end).unwrap_or_default())
            .map_err(|_| "multipart part headers are not UTF-8")?;
        let mut name = None;
        let mut filename = None;
        let mut content_type = None;
        for line in headers.split("\r\n") {
            let Some((key, value)) = line.split_once(':') else { continue };
            let value = value.trim();
            if key.trim().eq_ignore_ascii_case("content-disposition") {
                name = header_param(value, "name");
                filename = header_param(value, "filename");
            } else if key.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(value.to_owned());
            }
        }
        let data_start = headers_end.saturating_add(4);
        let mut closing = b"\r\n".to_vec();
        closing.extend_from_slice(delimiter);
        let data_end = find(body, &closing, data_start).ok_or("a multipart part is not closed by the boundary")?;
        parts.push(Part {
            name: name.ok_or("a multipart part has no name in Content-Disposition")?,
            filename,
            content_type,
            data: body.get(data_start..data_end).unwrap_or_default().to_vec(),
        });
        at = data_end.saturating_add(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wechatpay_product_coupon::runtime::upload::{MultipartLayout, UploadFile, multipart_form};

    #[test]
    fn reads_the_form_the_client_writes() {
        let file = UploadFile::new("a.png", "image/png", b"\x89PNG\r\n\x1a\n\r\n--x".to_vec());
        let layout = MultipartLayout { meta_field: "meta", file_field: "file" };
        let form = multipart_form(&layout, br#"{"filename":"a.png"}"#, &file);
        let b = boundary(&form.content_type).unwrap();
        let parts = parse(&form.body, &b).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].data.as_slice()), ("meta", &br#"{"filename":"a.png"}"#[..]));
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].filename.as_deref(), Some("a.png"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[1].data, file.content);
    }

    #[test]
    fn refuses_broken_forms() {
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data; boundary=\"abc\"").as_deref(), Some("abc"));
        assert!(parse(b"no boundary here", "abc").is_err());
        assert!(parse(b"--abc\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated", "abc").is_err());
        assert!(parse(b"--abc\r\nContent-Type: text/plain\r\n\r\nx\r\n--abc--", "abc").is_err(), "no name");
    }

    #[test]
    fn every_truncation_of_a_form_is_an_answer_not_a_panic() {
        let form = b"--abc\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{}\r\n--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nPNG\r\n--abc--\r\n";
        assert_eq!(parse(form, "abc").map(|p| p.len()), Ok(2));
        for end in 0..form.len() {
            for start in [0, 1, 5, end / 2] {
                let _ = parse(form.get(start.min(end)..end).unwrap(), "abc");
            }
        }
    }
}
