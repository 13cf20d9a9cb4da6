//! `--file PATH` for upload operations: the file as the library's [`UploadFile`], and the meta
//! JSON built from it. The checks (size, media type, content) are the library's, run with the
//! request's validation; nothing is checked here twice.

use std::io::Read as _;
use std::path::Path;

use wechatpay_product_coupon::runtime::upload::UploadFile;

use crate::report::Failure;

/// Files are read at most this far: far beyond any upload limit, so the library's size check
/// still reports the file as too large, without reading a huge file into memory.
const READ_LIMIT: u64 = 64 * 1024 * 1024;

/// Reads the file; the media type comes from the extension, else from the content's first
/// bytes (an unknown type is left to the library's check, which names the accepted ones).
pub fn read_file(path: &str) -> Result<UploadFile, Failure> {
    let cannot = |e: std::io::Error| Failure::input(format!("cannot read the file {path:?}: {e}"));
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut content = Vec::new();
    file.take(READ_LIMIT + 1).read_to_end(&mut content).map_err(cannot)?;
    if content.len() as u64 > READ_LIMIT {
        return Err(Failure::input(format!("the file {path:?} is larger than {READ_LIMIT} bytes")));
    }
    let filename = Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut upload = UploadFile::new(filename.clone(), String::new(), content);
    upload.media_type = media_type_of(&filename)
        .or_else(|| upload.sniffed_media_type())
        .unwrap_or("application/octet-stream")
        .to_owned();
    Ok(upload)
}

fn media_type_of(filename: &str) -> Option<&'static str> {
    let ext = Path::new(filename).extension()?.to_string_lossy().to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => Some("image/jpeg"),
        "png" => Some("image/png"),
        "gif" => Some("image/gif"),
        "bmp" => Some("image/bmp"),
        "webp" => Some("image/webp"),
        _ => None,
    }
}

/// The meta APIv3 media uploads take: the file name and the SHA-256 of its content.
pub fn meta_for(file: &UploadFile) -> Vec<u8> {
    serde_json::json!({ "filename": file.filename, "sha256": file.sha256_hex() }).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_media_type_comes_from_the_extension_then_the_content() {
        assert_eq!(media_type_of("a.JPG"), Some("image/jpeg"));
        assert_eq!(media_type_of("logo.png"), Some("image/png"));
        assert_eq!(media_type_of("noext"), None);
        let file = UploadFile::new("x", "image/png", b"abc".to_vec());
        let meta: serde_json::Value = serde_json::from_slice(&meta_for(&file)).unwrap();
        assert_eq!(meta["filename"], "x");
        assert_eq!(meta["sha256"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
