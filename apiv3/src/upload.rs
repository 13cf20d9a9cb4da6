//! Multipart file uploads (图片上传). The request is signed over the `meta` JSON alone, and
//! the wire body is a `multipart/form-data` form holding the meta and the file.

use std::fmt;

/// A file to upload. The default is empty, which validation refuses.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UploadFile {
    /// The file name sent in the form (and usually in the meta).
    pub filename: String,
    /// The media type, e.g. `image/png`.
    pub media_type: String,
    /// The file's bytes.
    pub content: Vec<u8>,
}

impl UploadFile {
    /// A file from its name, media type and bytes.
    pub fn new(filename: impl Into<String>, media_type: impl Into<String>, content: impl Into<Vec<u8>>) -> Self {
        UploadFile { filename: filename.into(), media_type: media_type.into(), content: content.into() }
    }

    /// Lower-case hex SHA-256 of the content, as the upload's meta asks for.
    pub fn sha256_hex(&self) -> String {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &self.content);
        digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The media type the content's first bytes show, for the image types WeChat Pay takes.
    pub fn sniffed_media_type(&self) -> Option<&'static str> {
        let c = &self.content;
        if c.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some("image/jpeg")
        } else if c.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some("image/png")
        } else {
            None
        }
    }
}

impl fmt::Debug for UploadFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bytes themselves are never printed.
        f.debug_struct("UploadFile")
            .field("filename", &self.filename)
            .field("media_type", &self.media_type)
            .field("len", &self.content.len())
            .finish()
    }
}

/// The part names of an upload form, from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MultipartLayout {
    /// The part holding the meta JSON (`meta`).
    pub meta_field: &'static str,
    /// The part holding the file (`file`).
    pub file_field: &'static str,
}

/// A built form: its content type (with the boundary) and body.
#[derive(Debug, Clone)]
pub struct MultipartForm {
    /// `multipart/form-data; boundary=...`.
    pub content_type: String,
    /// The encoded form.
    pub body: Vec<u8>,
}

/// Builds the form: the meta JSON part first, then the file.
pub fn multipart_form(layout: &MultipartLayout, meta_json: &[u8], file: &UploadFile) -> MultipartForm {
    // The boundary is derived from the content, so preparing the same upload twice (a dry run,
    // then the call) gives byte-identical bodies; re-drawn with a counter in the (astronomically
    // unlikely) case it occurs in the data.
    let mut round = 0u32;
    let boundary = loop {
        let mut digest = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        digest.update(&round.to_be_bytes());
        digest.update(meta_json);
        digest.update(file.filename.as_bytes());
        digest.update(&file.content);
        let hex: String = digest.finish().as_ref().iter().take(16).map(|b| format!("{b:02x}")).collect();
        round = round.wrapping_add(1);
        let candidate = format!("wechatpay-{hex}");
        let needle = candidate.as_bytes();
        let occurs = |hay: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        if !occurs(meta_json) && !occurs(&file.content) {
            break candidate;
        }
    };
    let filename = file.filename.replace(['"', '\r', '\n'], "_");
    let mut body = Vec::with_capacity(meta_json.len() + file.content.len() + 512);
    body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"{}\"\r\nContent-Type: application/json\r\n\r\n",
            layout.meta_field
        )
        .as_bytes(),
    );
    body.extend_from_slice(meta_json);
    body.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
    body.extend_from_slice(
        format!(
            "Content-Disposition: form-data; name=\"{}\"; filename=\"{filename}\"\r\nContent-Type: {}\r\n\r\n",
            layout.file_field, file.media_type
        )
        .as_bytes(),
    );
    body.extend_from_slice(&file.content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    MultipartForm { content_type: format!("multipart/form-data; boundary={boundary}"), body }
}

impl crate::validate::Violations {
    /// Checks a file before it is uploaded: not empty, at most `max_bytes`, a listed media type,
    /// and content that looks like that type.
    pub fn check_upload(&mut self, path: &str, file: &UploadFile, max_bytes: u64, media_types: &[&str]) {
        let len = file.content.len() as u64;
        use crate::validate::ViolationKind::{FileRejected, FileTooLarge};
        if len == 0 {
            self.push_kind(FileRejected, path, "the file is empty");
        } else if len > max_bytes {
            self.push_kind(FileTooLarge, path, format!("the file has {len} bytes; at most {max_bytes} are accepted"));
        }
        if !media_types.contains(&file.media_type.as_str()) {
            self.push_kind(
                FileRejected,
                path,
                format!("media type {:?} is not accepted (accepted: {})", file.media_type, media_types.join(", ")),
            );
        } else if let Some(sniffed) = file.sniffed_media_type()
            && sniffed != file.media_type
        {
            self.push_kind(FileRejected, path, format!("the content is {sniffed}, not {}", file.media_type));
        } else if file.sniffed_media_type().is_none() && len > 0 {
            self.push_kind(FileRejected, path, format!("the content does not look like {}", file.media_type));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Violations;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn the_form_holds_the_meta_then_the_file() {
        let file = UploadFile::new("logo.png", "image/png", PNG);
        let layout = MultipartLayout { meta_field: "meta", file_field: "file" };
        let form = multipart_form(&layout, br#"{"filename":"logo.png"}"#, &file);
        let boundary = form.content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
        let text = String::from_utf8_lossy(&form.body);
        let meta_at = text.find("name=\"meta\"").unwrap();
        let file_at = text.find("name=\"file\"; filename=\"logo.png\"").unwrap();
        assert!(meta_at < file_at);
        assert!(text.contains(r#"{"filename":"logo.png"}"#));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        assert!(form.body.windows(PNG.len()).any(|w| w == PNG));
    }

    #[test]
    fn files_are_checked_before_sending() {
        let types = ["image/jpeg", "image/png"];
        let mut v = Violations::default();
        v.check_upload("file", &UploadFile::new("a.png", "image/png", PNG), 2_097_152, &types);
        assert!(v.is_empty(), "{v}");
        let cases = [
            (UploadFile::new("a.png", "image/png", Vec::new()), "empty"),
            (UploadFile::new("a.png", "image/png", [PNG, &[0u8; 64][..]].concat()), "at most 32"),
            (UploadFile::new("a.gif", "image/gif", b"GIF89a".to_vec()), "not accepted"),
            (UploadFile::new("a.jpg", "image/jpeg", PNG), "the content is image/png"),
            (UploadFile::new("a.png", "image/png", b"hello".to_vec()), "does not look like"),
        ];
        for (file, expected) in cases {
            let mut v = Violations::default();
            v.check_upload("file", &file, 32, &types);
            assert!(v.iter().any(|x| x.message.contains(expected)), "{file:?}: {v}");
        }
    }

    #[test]
    fn sha256_is_lower_hex() {
        let f = UploadFile::new("x", "image/png", b"abc".to_vec());
        assert_eq!(f.sha256_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
