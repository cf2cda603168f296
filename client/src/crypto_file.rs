//! The core's encrypted local files: read and write a [`CryptoFile`] whose `cryptoArgs` are set.
//!
//! When the SimpleX core keeps a file encrypted (received files with encryption on, or a file
//! the bot hands it encrypted), the file's JSON is a [`CryptoFile`] with a path and
//! [`CryptoFileArgs`]: `fileKey`, 32 bytes, and `fileNonce`, 24 bytes, each in base64url with
//! padding. This module reads such a file and writes one the core can read, in pure Rust.
//!
//! ```no_run
//! use simplex_api_client::crypto_file::{self, FileKey};
//! use simplex_api_types::types::CryptoFile;
//!
//! # fn run(received: &CryptoFile) -> Result<(), crypto_file::CryptoFileError> {
//! // A file the core wrote: its contents, checked before any byte is returned.
//! let contents = crypto_file::read_file(received)?;
//!
//! // Or stream it into a plain file, in bounded memory.
//! if let Some(args) = &received.crypto_args {
//!     let key = FileKey::from_args(args)?;
//!     crypto_file::decrypt_to(&received.file_path, &key, "/tmp/received.bin")?;
//! }
//!
//! // A new encrypted file, with a fresh key, to hand to the core.
//! let key = crypto_file::write("/tmp/reply.bin", &contents)?;
//! let to_send: CryptoFile = key.to_crypto_file("/tmp/reply.bin");
//! # let _ = to_send;
//! # Ok(())
//! # }
//! ```
//!
//! # The format
//!
//! As simplexmq's `Simplex.Messaging.Crypto.File` writes it (`writeFile`, through
//! `secretBoxTailTag` and `sbInit` of `Simplex.Messaging.Crypto.Lazy`): the ciphertext, as long
//! as the plaintext, then the 16-byte Poly1305 tag. No header, no length, no padding, no
//! chunking. The cipher is NaCl's `crypto_box_afternm` (XSalsa20-Poly1305) with the key
//! HSalsa20(`fileKey`, 16 zero bytes), i.e. `crypto_box_beforenm` applied to `fileKey` as if it
//! were an X25519 shared secret: the first 32 bytes of the key stream are the Poly1305 key, the
//! data is XORed with the stream from byte 32 on, and the tag authenticates the ciphertext. It
//! is therefore *not* `crypto_secretbox` keyed with `fileKey` itself.
//!
//! # Guarantees
//!
//! * [`read`] checks the tag before it decrypts anything: on any failure no plaintext exists.
//! * [`decrypt_to`], [`encrypt_to`], [`write`] and [`write_with_key`] write a temporary file
//!   beside the destination (created anew, owner-only on Unix) and rename it into place only
//!   when everything succeeded (for [`decrypt_to`]: after the tag verified). On any error the
//!   temporary file is removed and the destination is as it was. They do not `fsync`.
//! * Streaming uses one buffer of 64 KiB, whatever the file's size.
//! * Keys are wiped from memory when dropped ([`FileKey`], the derived keys, the cipher state).
//!
//! The functions block on file IO: in an async bot, call them inside
//! `tokio::task::spawn_blocking`.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use poly1305::universal_hash::generic_array::GenericArray;
use poly1305::universal_hash::{KeyInit, UniversalHash};
use poly1305::Poly1305;
use salsa20::cipher::consts::U10;
use salsa20::cipher::{KeyIvInit, StreamCipher};
use salsa20::XSalsa20;
use simplex_api_types::types::{CryptoFile, CryptoFileArgs};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Length of `fileKey`, in bytes.
pub const KEY_LEN: usize = 32;
/// Length of `fileNonce`, in bytes.
pub const NONCE_LEN: usize = 24;
/// Length of the authentication tag at the end of an encrypted file, in bytes.
pub const TAG_LEN: usize = 16;

/// The streaming buffer: a multiple of the Poly1305 block, so that whole reads need no carry.
const BUF_LEN: usize = 64 * 1024;

/// Base64url as the core writes it (with padding); padding is optional when reading, as in the
/// core's parser. Bits after the last byte must be zero.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The key and nonce of one encrypted file (`cryptoArgs`), wiped from memory on drop.
///
/// A key and nonce must encrypt one file only: two files written with the same [`FileKey`]
/// give away the XOR of their contents. [`write`] and [`encrypt_to`] make a fresh one each time.
///
/// `Debug` shows neither the key nor the nonce.
#[derive(Clone)]
pub struct FileKey {
    key: [u8; KEY_LEN],
    nonce: [u8; NONCE_LEN],
}

impl FileKey {
    /// A fresh random key and nonce, from the operating system's random source.
    pub fn generate() -> Result<Self, CryptoFileError> {
        let mut key = Self {
            key: [0; KEY_LEN],
            nonce: [0; NONCE_LEN],
        };
        getrandom::fill(&mut key.key)
            .and_then(|()| getrandom::fill(&mut key.nonce))
            .map_err(|e| CryptoFileError::Random(e.to_string()))?;
        Ok(key)
    }

    /// A key and nonce from their bytes.
    pub fn from_bytes(key: [u8; KEY_LEN], nonce: [u8; NONCE_LEN]) -> Self {
        Self { key, nonce }
    }

    /// A key and nonce from their base64url strings, as in `fileKey` and `fileNonce`.
    ///
    /// Padding (`=`) may be there, as the core writes it, or not; the standard alphabet's `+`
    /// and `/` are refused, like any character outside `A-Z a-z 0-9 - _`. The key must be 32
    /// bytes and the nonce 24.
    pub fn from_base64(key: &str, nonce: &str) -> Result<Self, CryptoFileError> {
        let mut out = Self::from_bytes([0; KEY_LEN], [0; NONCE_LEN]);
        decode_into(KeyField::Key, key, &mut out.key)?;
        decode_into(KeyField::Nonce, nonce, &mut out.nonce)?;
        Ok(out)
    }

    /// A key and nonce from the `cryptoArgs` of a [`CryptoFile`].
    pub fn from_args(args: &CryptoFileArgs) -> Result<Self, CryptoFileError> {
        Self::from_base64(&args.file_key, &args.file_nonce)
    }

    /// The `cryptoArgs` for this key and nonce: padded base64url, as the core writes them.
    pub fn to_args(&self) -> CryptoFileArgs {
        CryptoFileArgs::new(
            BASE64URL.encode(self.key),
            BASE64URL.encode(self.nonce),
        )
    }

    /// A [`CryptoFile`] for the file at `path` encrypted with this key, to hand to the core.
    pub fn to_crypto_file(&self, path: impl Into<String>) -> CryptoFile {
        CryptoFile::new(path.into()).with_crypto_args(self.to_args())
    }

    /// The key's bytes.
    pub fn key_bytes(&self) -> &[u8; KEY_LEN] {
        &self.key
    }

    /// The nonce's bytes.
    pub fn nonce_bytes(&self) -> &[u8; NONCE_LEN] {
        &self.nonce
    }
}

impl TryFrom<&CryptoFileArgs> for FileKey {
    type Error = CryptoFileError;

    fn try_from(args: &CryptoFileArgs) -> Result<Self, Self::Error> {
        Self::from_args(args)
    }
}

impl PartialEq for FileKey {
    /// In constant time.
    fn eq(&self, other: &Self) -> bool {
        (self.key.ct_eq(&other.key) & self.nonce.ct_eq(&other.nonce)).into()
    }
}

impl Eq for FileKey {}

impl fmt::Debug for FileKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FileKey { .. }")
    }
}

impl Drop for FileKey {
    fn drop(&mut self) {
        self.key.zeroize();
        self.nonce.zeroize();
    }
}

/// Decodes one base64url string of exactly `out.len()` bytes into `out`.
fn decode_into(field: KeyField, text: &str, out: &mut [u8]) -> Result<(), CryptoFileError> {
    let mut bytes = BASE64URL
        .decode(text)
        .map_err(|e| CryptoFileError::Base64 {
            field,
            reason: e.to_string(),
        })?;
    let result = if bytes.len() == out.len() {
        out.copy_from_slice(&bytes);
        Ok(())
    } else {
        Err(CryptoFileError::Length {
            field,
            len: bytes.len(),
            expected: out.len(),
        })
    };
    bytes.zeroize();
    result
}

/// Which of the two `cryptoArgs` strings an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyField {
    /// `fileKey`.
    Key,
    /// `fileNonce`.
    Nonce,
}

impl fmt::Display for KeyField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyField::Key => "fileKey",
            KeyField::Nonce => "fileNonce",
        })
    }
}

/// Why an encrypted file could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoFileError {
    /// The tag does not match: the key or nonce is not the file's, or the file was changed
    /// (or cut short by more than the tag).
    #[error("{}: authentication failed: wrong key, or the file was changed", path.display())]
    Authentication {
        /// The encrypted file.
        path: PathBuf,
    },
    /// The file is shorter than the tag alone.
    #[error("{}: truncated: {len} bytes, less than the 16-byte tag", path.display())]
    Truncated {
        /// The encrypted file.
        path: PathBuf,
        /// Its length.
        len: u64,
    },
    /// A key or nonce string is not base64url.
    #[error("{field} is not base64url: {reason}")]
    Base64 {
        /// Which string.
        field: KeyField,
        /// What is wrong with it.
        reason: String,
    },
    /// A key or nonce string decodes to the wrong number of bytes.
    #[error("{field} has {len} bytes, expected {expected}")]
    Length {
        /// Which string.
        field: KeyField,
        /// The bytes it decodes to.
        len: usize,
        /// The bytes it must have: [`KEY_LEN`] or [`NONCE_LEN`].
        expected: usize,
    },
    /// A file could not be opened, read, written or renamed.
    #[error("could not {op} {}: {source}", path.display())]
    Io {
        /// What was being done, e.g. `"read"`.
        op: &'static str,
        /// The file it was done to.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// The operating system's random source failed, so no new key could be made.
    #[error("could not get random bytes for a new key: {0}")]
    Random(String),
}

impl CryptoFileError {
    fn io<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> Self + 'a {
        move |source| CryptoFileError::Io {
            op,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Reads the whole encrypted file at `path` and returns its contents.
///
/// The tag is checked before anything is decrypted: on an error no plaintext is returned or
/// kept. The file is held in memory once (decrypted in place); for large files see
/// [`decrypt_to`].
pub fn read(path: impl AsRef<Path>, key: &FileKey) -> Result<Vec<u8>, CryptoFileError> {
    let path = path.as_ref();
    let mut data = fs::read(path).map_err(CryptoFileError::io("read", path))?;
    let Some(body_len) = data.len().checked_sub(TAG_LEN) else {
        return Err(CryptoFileError::Truncated {
            path: path.to_path_buf(),
            len: data.len() as u64,
        });
    };
    let (body, tag) = data.split_at_mut(body_len);
    let (mut stream, mut mac) = init(key);
    mac.update(body);
    if !mac.verify(tag) {
        return Err(CryptoFileError::Authentication {
            path: path.to_path_buf(),
        });
    }
    stream.apply_keystream(body);
    data.truncate(body_len);
    Ok(data)
}

/// Reads a [`CryptoFile`] the core gave: decrypted when it has `cryptoArgs`, as it is when not.
pub fn read_file(file: &CryptoFile) -> Result<Vec<u8>, CryptoFileError> {
    match &file.crypto_args {
        Some(args) => read(&file.file_path, &FileKey::from_args(args)?),
        None => {
            let path = Path::new(&file.file_path);
            fs::read(path).map_err(CryptoFileError::io("read", path))
        }
    }
}

/// Decrypts the encrypted file `src` into the plain file `dst`, in bounded memory.
///
/// The plaintext goes to a new temporary file beside `dst`, renamed onto `dst` (replacing it)
/// only once the tag has verified. On any error the temporary file is removed and `dst` is
/// left as it was. Memory use is one 64 KiB buffer, whatever the file's size.
pub fn decrypt_to(
    src: impl AsRef<Path>,
    key: &FileKey,
    dst: impl AsRef<Path>,
) -> Result<(), CryptoFileError> {
    let (src, dst) = (src.as_ref(), dst.as_ref());
    let mut input = File::open(src).map_err(CryptoFileError::io("open", src))?;
    let (tmp, mut file) = TempFile::beside(dst)?;
    let mut buf = vec![0u8; BUF_LEN + TAG_LEN];
    let result = decrypt_stream(&mut input, key, &mut file, &mut buf);
    buf.zeroize();
    // Closed before the rename or the removal (Windows does neither to an open file).
    drop(file);
    match result {
        Ok(()) => tmp.commit(dst),
        Err(StreamError::Io(e)) => Err(e.at(src, &tmp.path)),
        Err(StreamError::Truncated(len)) => Err(CryptoFileError::Truncated {
            path: src.to_path_buf(),
            len,
        }),
        Err(StreamError::Authentication) => Err(CryptoFileError::Authentication {
            path: src.to_path_buf(),
        }),
    }
}

/// Writes `data` encrypted to `path` with a fresh random key, and returns the key.
///
/// Like [`encrypt_to`], through a temporary file renamed onto `path`.
pub fn write(path: impl AsRef<Path>, data: &[u8]) -> Result<FileKey, CryptoFileError> {
    let key = FileKey::generate()?;
    write_with_key(path, data, &key)?;
    Ok(key)
}

/// Writes `data` encrypted to `path` with the given key.
///
/// Never use one key and nonce for two different contents (see [`FileKey`]); [`write`] makes
/// a fresh one.
pub fn write_with_key(
    path: impl AsRef<Path>,
    data: &[u8],
    key: &FileKey,
) -> Result<(), CryptoFileError> {
    let path = path.as_ref();
    let mut input = data;
    encrypt_into(Path::new("<memory>"), &mut input, path, key)
}

/// Encrypts the plain file `src` into `dst` with a fresh random key, in bounded memory, and
/// returns the key.
///
/// The ciphertext goes to a new temporary file beside `dst`, renamed onto `dst` (replacing it)
/// once it is complete. On any error the temporary file is removed and `dst` is left as it was.
pub fn encrypt_to(src: impl AsRef<Path>, dst: impl AsRef<Path>) -> Result<FileKey, CryptoFileError> {
    let key = FileKey::generate()?;
    encrypt_to_with_key(src, dst, &key)?;
    Ok(key)
}

/// Encrypts the plain file `src` into `dst` with the given key, like [`encrypt_to`].
///
/// Never use one key and nonce for two different contents (see [`FileKey`]).
pub fn encrypt_to_with_key(
    src: impl AsRef<Path>,
    dst: impl AsRef<Path>,
    key: &FileKey,
) -> Result<(), CryptoFileError> {
    let (src, dst) = (src.as_ref(), dst.as_ref());
    let mut input = File::open(src).map_err(CryptoFileError::io("open", src))?;
    encrypt_into(src, &mut input, dst, key)
}

/// Encrypts everything `input` (named `src` in errors) gives into `dst`, through a temporary
/// file.
fn encrypt_into(
    src: &Path,
    input: &mut impl Read,
    dst: &Path,
    key: &FileKey,
) -> Result<(), CryptoFileError> {
    let (tmp, mut file) = TempFile::beside(dst)?;
    let mut buf = vec![0u8; BUF_LEN];
    let result = encrypt_stream(input, key, &mut file, &mut buf);
    buf.zeroize();
    drop(file);
    match result {
        Ok(()) => tmp.commit(dst),
        Err(e) => Err(e.at(src, &tmp.path)),
    }
}

/// The key stream and the authenticator of one file, as simplexmq's `sbInit` sets them up:
/// XSalsa20 keyed with HSalsa20(`fileKey`, 16 zero bytes) and the file's nonce, whose first 32
/// bytes key Poly1305.
fn init(key: &FileKey) -> (XSalsa20, Mac) {
    let mut box_key = salsa20::hsalsa::<U10>(
        GenericArray::from_slice(&key.key),
        &GenericArray::default(),
    );
    let mut stream = XSalsa20::new(&box_key, GenericArray::from_slice(&key.nonce));
    box_key.as_mut_slice().zeroize();
    let mut mac_key = [0u8; 32];
    stream.apply_keystream(&mut mac_key);
    let mac = Mac {
        poly: Poly1305::new(GenericArray::from_slice(&mac_key)),
        carry: [0; 16],
        carry_len: 0,
    };
    mac_key.zeroize();
    (stream, mac)
}

/// Poly1305 over data that arrives in pieces of any length: whole 16-byte blocks go to the
/// hash as they come, a partial one waits for the next piece or the end.
struct Mac {
    poly: Poly1305,
    carry: [u8; 16],
    carry_len: usize,
}

impl Mac {
    fn update(&mut self, mut data: &[u8]) {
        if self.carry_len > 0 {
            let take = (16 - self.carry_len).min(data.len());
            self.carry[self.carry_len..self.carry_len + take].copy_from_slice(&data[..take]);
            self.carry_len += take;
            data = &data[take..];
            if self.carry_len < 16 {
                return;
            }
            self.poly
                .update(std::slice::from_ref(GenericArray::from_slice(&self.carry)));
            self.carry_len = 0;
        }
        let whole = data.len() - data.len() % 16;
        // Whole blocks only: `update_padded` pads nothing here.
        self.poly.update_padded(&data[..whole]);
        let rest = &data[whole..];
        self.carry[..rest.len()].copy_from_slice(rest);
        self.carry_len = rest.len();
    }

    fn tag(self) -> [u8; TAG_LEN] {
        self.poly
            .compute_unpadded(&self.carry[..self.carry_len])
            .into()
    }

    /// Whether `tag` is this data's tag, compared in constant time.
    fn verify(self, tag: &[u8]) -> bool {
        self.tag().ct_eq(tag).into()
    }
}

/// An IO error of a stream, before it is given its path.
#[derive(Debug)]
enum IoFailure {
    Read(io::Error),
    Write(io::Error),
}

impl IoFailure {
    /// The error, naming `src` for a read and `dst` for a write.
    fn at(self, src: &Path, dst: &Path) -> CryptoFileError {
        match self {
            IoFailure::Read(e) => CryptoFileError::io("read", src)(e),
            IoFailure::Write(e) => CryptoFileError::io("write", dst)(e),
        }
    }
}

/// What went wrong while decrypting a stream, before it is given its paths.
#[derive(Debug)]
enum StreamError {
    Io(IoFailure),
    Truncated(u64),
    Authentication,
}

impl From<IoFailure> for StreamError {
    fn from(e: IoFailure) -> Self {
        StreamError::Io(e)
    }
}

/// Reads into `buf`, retrying when interrupted.
fn read_some(input: &mut impl Read, buf: &mut [u8]) -> Result<usize, IoFailure> {
    loop {
        match input.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(IoFailure::Read(e)),
        }
    }
}

/// Decrypts `input` into `output`, holding back the last [`TAG_LEN`] bytes seen: at the end
/// they are the tag. `buf` must be longer than [`TAG_LEN`]. Plaintext is written before the
/// tag is checked, so `output` must be thrown away on an error.
fn decrypt_stream(
    input: &mut impl Read,
    key: &FileKey,
    output: &mut impl Write,
    buf: &mut [u8],
) -> Result<(), StreamError> {
    debug_assert!(buf.len() > TAG_LEN);
    let (mut stream, mut mac) = init(key);
    let mut held = 0;
    let mut total = 0u64;
    loop {
        let n = read_some(input, &mut buf[held..])?;
        if n == 0 {
            break;
        }
        total += n as u64;
        let filled = held + n;
        if filled <= TAG_LEN {
            held = filled;
            continue;
        }
        let body = filled - TAG_LEN;
        mac.update(&buf[..body]);
        stream.apply_keystream(&mut buf[..body]);
        output.write_all(&buf[..body]).map_err(IoFailure::Write)?;
        buf.copy_within(body..filled, 0);
        held = TAG_LEN;
    }
    if held < TAG_LEN {
        return Err(StreamError::Truncated(total));
    }
    if !mac.verify(&buf[..TAG_LEN]) {
        return Err(StreamError::Authentication);
    }
    Ok(output.flush().map_err(IoFailure::Write)?)
}

/// Encrypts `input` into `output` and appends the tag.
fn encrypt_stream(
    input: &mut impl Read,
    key: &FileKey,
    output: &mut impl Write,
    buf: &mut [u8],
) -> Result<(), IoFailure> {
    let (mut stream, mut mac) = init(key);
    loop {
        let n = read_some(input, buf)?;
        if n == 0 {
            break;
        }
        stream.apply_keystream(&mut buf[..n]);
        mac.update(&buf[..n]);
        output.write_all(&buf[..n]).map_err(IoFailure::Write)?;
    }
    output.write_all(&mac.tag()).map_err(IoFailure::Write)?;
    output.flush().map_err(IoFailure::Write)
}

/// The path of a new file beside a destination, removed on drop unless renamed onto it.
struct TempFile {
    path: PathBuf,
    committed: bool,
}

impl TempFile {
    /// Creates `.NAME.PID-N.tmp` in `dst`'s directory, a name no other file has, and opens it
    /// for writing. The file must be closed before [`TempFile::commit`] or the drop.
    fn beside(dst: &Path) -> Result<(Self, File), CryptoFileError> {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let op = "create a temporary file for";
        let Some(name) = dst.file_name() else {
            return Err(CryptoFileError::io(op, dst)(io::Error::new(
                ErrorKind::InvalidInput,
                "the destination has no file name",
            )));
        };
        let dir = match dst.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let mut tmp_name = std::ffi::OsString::from(".");
            tmp_name.push(name);
            tmp_name.push(format!(".{}-{n}.tmp", std::process::id()));
            let path = dir.join(tmp_name);
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(file) => {
                    let tmp = Self {
                        path,
                        committed: false,
                    };
                    return Ok((tmp, file));
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(CryptoFileError::io(op, dst)(e)),
            }
        }
    }

    /// Renames the temporary file onto `dst`.
    fn commit(mut self, dst: &Path) -> Result<(), CryptoFileError> {
        fs::rename(&self.path, dst).map_err(CryptoFileError::io("rename the temporary file onto", dst))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the error path already has an error to report.
            let _ = fs::remove_file(&self.path);
        }
    }
}
