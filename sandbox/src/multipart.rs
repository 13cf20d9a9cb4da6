//! The `multipart/form-data` reader of the upload operations (图片上传), through `multer` (a
//! maintained parser: the form is request input, so security surface): WeChat Pay's upload form
//! has a `meta` part (the JSON the request signature covers) and a `file` part.

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

/// Longest accepted boundary (RFC 2046 allows 70 characters; generous for odd clients).
const MAX_BOUNDARY: usize = 200;

/// The boundary of a `multipart/form-data` content type, `None` for any other type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    multer::parse_boundary(content_type).ok()
}

/// The form's part names: the signed JSON and the file. Nothing else is read.
pub(crate) const META: &str = "meta";
pub(crate) const FILE: &str = "file";
/// Largest `meta` part (the JSON the signature covers: a file name and a digest).
pub(crate) const MAX_META: u64 = 64 * 1024;

/// Splits a form body into its parts. This runs before the signature is checked (the
/// signature covers the `meta` part), so it is bounded tightly: the body is already limited by
/// the server, there are at most two parts, named [`META`] and [`FILE`], each once,
/// and `meta` is at most [`MAX_META`] bytes; a form that breaks any of this is refused at the
/// part that breaks it, and nothing after it is parsed.
pub(crate) async fn parse(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    if boundary.is_empty() || boundary.len() > MAX_BOUNDARY {
        return Err("the multipart boundary is empty or too long".into());
    }
    let limits = multer::SizeLimit::new().for_field(META, MAX_META);
    let mut form =
        multer::Multipart::with_reader_with_constraints(body, boundary, multer::Constraints::new().size_limit(limits));
    let mut parts: Vec<Part> = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().map(str::to_owned).ok_or("a multipart part has no name in Content-Disposition")?;
        if name != META && name != FILE {
            return Err(format!("unexpected part {name:?}: the form has a `{META}` part and a `{FILE}` part only"));
        }
        if parts.iter().any(|p| p.name == name) {
            return Err(format!("the part {name:?} appears more than once"));
        }
        let filename = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(|m| m.to_string());
        let data = field.bytes().await.map_err(|e| e.to_string())?.to_vec();
        parts.push(Part { name, filename, content_type, data });
    }
    if parts.is_empty() {
        return Err("the body does not contain the multipart boundary".into());
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wechatpay_product_coupon::runtime::upload::{MultipartLayout, UploadFile, multipart_form};

    #[tokio::test]
    async fn reads_the_form_the_client_writes() {
        let file = UploadFile::new("a.png", "image/png", b"\x89PNG\r\n\x1a\n\r\n--x".to_vec());
        let layout = MultipartLayout { meta_field: "meta", file_field: "file" };
        let form = multipart_form(&layout, br#"{"filename":"a.png"}"#, &file);
        let b = boundary(&form.content_type).unwrap();
        let parts = parse(&form.body, &b).await.unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].data.as_slice()), ("meta", &br#"{"filename":"a.png"}"#[..]));
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].filename.as_deref(), Some("a.png"));
        assert_eq!(parts[1].content_type.as_deref(), Some("image/png"));
        assert_eq!(parts[1].data, file.content);
    }

    #[tokio::test]
    async fn refuses_broken_forms() {
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data; boundary=\"abc\"").as_deref(), Some("abc"));
        assert_eq!(boundary("multipart/form-data").as_deref(), None, "no boundary");
        assert!(parse(b"no boundary here", "abc").await.is_err());
        assert!(
            parse(b"--abc\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated", "abc").await.is_err()
        );
        assert!(parse(b"--abc\r\nContent-Type: text/plain\r\n\r\nx\r\n--abc--", "abc").await.is_err(), "no name");
        assert!(parse(b"--abc--\r\n", "abc").await.is_err(), "no parts");
        assert!(parse(b"x", &"b".repeat(MAX_BOUNDARY + 1)).await.is_err());
    }

    #[tokio::test]
    async fn only_a_meta_and_a_file_part_are_read() {
        let part = |name: &str, data: &str| {
            format!("--abc\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{data}\r\n")
        };
        let form = |parts: &[(&str, &str)]| {
            let mut body: String = parts.iter().map(|(n, d)| part(n, d)).collect();
            body.push_str("--abc--\r\n");
            body.into_bytes()
        };
        assert_eq!(parse(&form(&[("meta", "{}"), ("file", "x")]), "abc").await.map(|p| p.len()), Ok(2));
        let e = parse(&form(&[("meta", "{}"), ("other", "x")]), "abc").await.unwrap_err();
        assert!(e.contains("unexpected part"), "{e}");
        let e = parse(&form(&[("meta", "{}"), ("meta", "{}")]), "abc").await.unwrap_err();
        assert!(e.contains("more than once"), "{e}");
        // Many parts: refused at the first one too many, whatever follows.
        let many: Vec<(&str, &str)> = std::iter::repeat_n(("file", "x"), 10_000).collect();
        let e = parse(&form(&many), "abc").await.unwrap_err();
        assert!(e.contains("more than once"), "{e}");
        let big = "a".repeat(MAX_META as usize + 1);
        assert!(parse(&form(&[("meta", &big)]), "abc").await.is_err(), "meta over its limit");
    }

    #[tokio::test]
    async fn every_truncation_of_a_form_is_an_answer_not_a_panic() {
        let form = b"--abc\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{}\r\n--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nPNG\r\n--abc--\r\n";
        assert_eq!(parse(form, "abc").await.map(|p| p.len()), Ok(2));
        for end in 0..form.len() {
            for start in [0, 1, 5, end / 2] {
                let _ = parse(form.get(start.min(end)..end).unwrap(), "abc").await;
            }
        }
    }
}
