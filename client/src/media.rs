//! Images to send: the small preview the apps show before the image itself is received, made
//! from the image (the `image` feature).
//!
//! An image message is the image file plus a preview in its content: a JPEG as a data URI
//! (`data:image/jpg;base64,...`) that the apps keep under [`MAX_PREVIEW_LEN`] characters.
//! [`image_message`] makes both from a file; [`image_preview`] makes the preview alone (for a
//! video's preview, from one of its frames, or a link preview's image).
//!
//! ```no_run
//! # async fn run(msg: simplex_api_client::bot::Message) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let image = simplex_api_client::media::image_message("chart.png", "Today's chart")?;
//! msg.reply_with(image).await?;
//! # Ok(())
//! # }
//! ```

use std::io::Cursor;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageReader, Limits};
use simplex_api_types::types::ComposedMessage;

/// The longest preview the apps make, in characters of the whole data URI (what the Android
/// and desktop apps use for image previews).
pub const MAX_PREVIEW_LEN: usize = 14_000;

/// The largest image read, in pixels along either side.
const MAX_SIDE: u32 = 16_384;

/// The most memory decoding one image may take.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// The JPEG quality of previews (the apps use 85%).
const QUALITY: u8 = 85;

/// The side a first preview is scaled down to, before it is fitted under the limit: larger
/// images would only be encoded to be shrunk again.
const FIRST_SIDE: u32 = 800;

const PREFIX: &str = "data:image/jpg;base64,";

/// Why no preview could be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The image file could not be read.
    #[error("cannot read the image {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not an image of a format this crate reads (JPEG, PNG, GIF, WebP), or it
    /// is damaged, or larger than the limits (16,384 pixels a side, 256 MiB decoded).
    #[error("not an image that can be previewed: {0}")]
    Decode(#[source] image::ImageError),
    /// Encoding the preview failed.
    #[error("cannot encode the preview: {0}")]
    Encode(#[source] image::ImageError),
    /// Even the smallest preview is longer than the limit asked for.
    #[error("no preview fits in {limit} characters")]
    TooSmallLimit {
        /// The limit.
        limit: usize,
    },
}

/// A preview of the image in `bytes`, as a JPEG data URI of at most [`MAX_PREVIEW_LEN`]
/// characters.
pub fn image_preview(bytes: &[u8]) -> Result<String, MediaError> {
    image_preview_within(bytes, MAX_PREVIEW_LEN)
}

/// A preview of the image in `bytes`, as a JPEG data URI of at most `limit` characters: the
/// image scaled down (keeping its proportions) until its JPEG fits.
pub fn image_preview_within(bytes: &[u8], limit: usize) -> Result<String, MediaError> {
    let image = decode(bytes)?;
    let mut image = if image.width().max(image.height()) > FIRST_SIDE {
        image.thumbnail(FIRST_SIDE, FIRST_SIDE)
    } else {
        image
    };
    loop {
        let uri = data_uri(&image)?;
        if uri.len() <= limit {
            return Ok(uri);
        }
        if image.width() <= 1 && image.height() <= 1 {
            return Err(MediaError::TooSmallLimit { limit });
        }
        // The encoded size goes about with the area: scale each side by the square root of
        // the excess, and by at least 10% so that it ends.
        let ratio = (uri.len() as f64 / limit as f64).sqrt().clamp(1.1, 2.0);
        let side = |n: u32| ((f64::from(n) / ratio) as u32).max(1);
        image = image.thumbnail(side(image.width()), side(image.height()));
    }
}

/// An image message: the file at `path` with `text` as its caption and a preview made from
/// it ([`image_preview`]).
pub fn image_message(
    path: impl AsRef<Path>,
    text: impl Into<String>,
) -> Result<ComposedMessage, MediaError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| MediaError::Read {
        path: path.to_owned(),
        source,
    })?;
    let preview = image_preview(&bytes)?;
    Ok(ComposedMessage::image(
        path.to_string_lossy(),
        text,
        preview,
    ))
}

fn decode(bytes: &[u8]) -> Result<DynamicImage, MediaError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| MediaError::Decode(image::ImageError::IoError(e)))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    reader.decode().map_err(MediaError::Decode)
}

fn data_uri(image: &DynamicImage) -> Result<String, MediaError> {
    // JPEG has no transparency: flattened to RGB.
    let rgb = image.to_rgb8();
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, QUALITY)
        .encode_image(&rgb)
        .map_err(MediaError::Encode)?;
    let mut uri = String::with_capacity(PREFIX.len() + jpeg.len().div_ceil(3) * 4);
    uri.push_str(PREFIX);
    base64::engine::general_purpose::STANDARD.encode_string(&jpeg, &mut uri);
    Ok(uri)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

    /// A noisy picture (noise compresses badly, so the preview must shrink to fit).
    fn noisy(width: u32, height: u32) -> Vec<u8> {
        let mut seed = 0x2545_f491_u32;
        let img = RgbImage::from_fn(width, height, |_, _| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let [r, g, b, _] = seed.to_le_bytes();
            Rgb([r, g, b])
        });
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .expect("encoded");
        png
    }

    fn decode_uri(uri: &str) -> DynamicImage {
        let b64 = uri.strip_prefix(PREFIX).expect("a JPEG data URI");
        let jpeg = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("base64");
        image::load_from_memory_with_format(&jpeg, ImageFormat::Jpeg).expect("a JPEG")
    }

    #[test]
    fn a_large_noisy_image_gets_a_jpeg_preview_under_the_limit_with_its_proportions() {
        let uri = image_preview(&noisy(1200, 600)).expect("a preview");
        assert!(uri.len() <= MAX_PREVIEW_LEN, "{}", uri.len());
        let preview = decode_uri(&uri);
        let ratio = f64::from(preview.width()) / f64::from(preview.height());
        assert!(
            (ratio - 2.0).abs() < 0.1,
            "{}x{}",
            preview.width(),
            preview.height()
        );
        assert!(
            preview.width() >= 16,
            "not shrunk to nothing: {}",
            preview.width()
        );
    }

    #[test]
    fn a_small_image_keeps_its_size() {
        let uri = image_preview(&noisy(40, 30)).expect("a preview");
        let preview = decode_uri(&uri);
        assert_eq!((preview.width(), preview.height()), (40, 30));
    }

    #[test]
    fn a_transparent_png_is_flattened() {
        let img = RgbaImage::from_pixel(64, 64, Rgba([10, 200, 30, 0]));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .expect("encoded");
        let preview = decode_uri(&image_preview(&png).expect("a preview"));
        assert_eq!((preview.width(), preview.height()), (64, 64));
    }

    #[test]
    fn a_tighter_limit_is_kept_and_an_impossible_one_is_an_error() {
        let png = noisy(300, 300);
        let uri = image_preview_within(&png, 2_000).expect("a preview");
        assert!(uri.len() <= 2_000, "{}", uri.len());
        let e = image_preview_within(&png, 100).expect_err("nothing fits");
        assert!(
            matches!(e, MediaError::TooSmallLimit { limit: 100 }),
            "{e:?}"
        );
    }

    #[test]
    fn what_is_not_an_image_is_refused() {
        for bytes in [&b""[..], b"not an image", &noisy(8, 8)[..20]] {
            let e = image_preview(bytes).expect_err("no image");
            assert!(matches!(e, MediaError::Decode(_)), "{e:?}");
        }
    }

    /// CRC-32 (ISO-HDLC, as PNG uses), bit by bit.
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// A valid PNG header announcing 100,000 x 100,000 pixels (40 GB decoded) is refused by
    /// the limits, before anything is allocated for it.
    #[test]
    fn an_image_announcing_a_huge_size_is_refused_by_the_limits() {
        assert_eq!(
            crc32(b"123456789"),
            0xCBF4_3926,
            "the check value of CRC-32"
        );
        let mut png = noisy(8, 8);
        // IHDR's data at bytes 16..29 (width, height, ...), its CRC at 29..33.
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let e = image_preview(&png).expect_err("refused");
        assert!(
            matches!(e, MediaError::Decode(image::ImageError::Limits(_))),
            "{e:?}"
        );
    }

    #[test]
    fn an_image_message_carries_the_file_and_the_preview() {
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("pic.png");
        std::fs::write(&path, noisy(100, 50)).expect("written");
        let msg = image_message(&path, "a picture").expect("a message");
        let source = msg.file_source.as_ref().expect("the file");
        assert_eq!(source.file_path, path.to_string_lossy());
        let simplex_api_types::types::MsgContent::Image(content) = &msg.msg_content else {
            panic!("{:?}", msg.msg_content);
        };
        assert_eq!(content.text, "a picture");
        assert!(content.image.starts_with(PREFIX));
        let e = image_message(dir.path().join("missing.png"), "").expect_err("no file");
        assert!(e.to_string().contains("missing.png"), "{e}");
    }
}
