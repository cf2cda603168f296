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
//! * [`decrypt_to`], [`encrypt_to`], [`write()`] and [`write_with_key`] write a temporary file
//!   beside the destination (created anew, owner-only on Unix) and rename it into place only
//!   when everything succeeded (for [`decrypt_to`]: after the tag verified). On any error the
//!   temporary file is removed and the destination is as it was. They do not `fsync`.
//! * Streaming uses at most four buffers of 64 KiB, whatever the file's size, and writes on a
//!   thread of its own (on the calling thread when none can be started).
//! * Keys are wiped from memory when dropped ([`FileKey`], the derived keys, the cipher state).
//!
//! The functions block on file IO: in an async bot, call them inside
//! `tokio::task::spawn_blocking`.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::{self, JoinHandle};

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
/// The piece of the buffer that is authenticated and decrypted at once (fits a first-level cache).
const PIECE_LEN: usize = 8 * 1024;

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
/// give away the XOR of their contents. [`write()`] and [`encrypt_to`] make a fresh one each time.
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
        CryptoFileArgs::new(BASE64URL.encode(self.key), BASE64URL.encode(self.nonce))
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
/// left as it was. Memory use is at most four buffers of 64 KiB, whatever the file's size;
/// writing runs on a thread of its own, overlapping the cipher.
pub fn decrypt_to(
    src: impl AsRef<Path>,
    key: &FileKey,
    dst: impl AsRef<Path>,
) -> Result<(), CryptoFileError> {
    let (src, dst) = (src.as_ref(), dst.as_ref());
    let mut input = File::open(src).map_err(CryptoFileError::io("open", src))?;
    let (tmp, file) = TempFile::beside(dst)?;
    // The file is closed when this returns, before the rename or the removal (Windows does
    // neither to an open file).
    let result = through_sink(file, BUF_LEN + TAG_LEN, |sink| {
        decrypt_stream(&mut input, key, sink)
    });
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
/// Never use one key and nonce for two different contents (see [`FileKey`]); [`write()`] makes
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
/// Memory use is bounded as for [`decrypt_to`].
pub fn encrypt_to(
    src: impl AsRef<Path>,
    dst: impl AsRef<Path>,
) -> Result<FileKey, CryptoFileError> {
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
    let (tmp, file) = TempFile::beside(dst)?;
    let result = through_sink(file, BUF_LEN, |sink| encrypt_stream(input, key, sink));
    match result {
        Ok(()) => tmp.commit(dst),
        Err(e) => Err(e.at(src, &tmp.path)),
    }
}

/// The key stream and the authenticator of one file, as simplexmq's `sbInit` sets them up:
/// XSalsa20 keyed with HSalsa20(`fileKey`, 16 zero bytes) and the file's nonce, whose first 32
/// bytes key Poly1305.
fn init(key: &FileKey) -> (XSalsa20, Mac) {
    let mut box_key =
        salsa20::hsalsa::<U10>(GenericArray::from_slice(&key.key), &GenericArray::default());
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

/// A buffer of a stream, wiped when dropped (it holds plaintext).
struct Buf(Vec<u8>);

impl Buf {
    fn new(len: usize) -> Self {
        Buf(vec![0; len])
    }
}

impl Drop for Buf {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Where a stream's output goes, a buffer at a time. Every buffer it gives has the same
/// length.
trait Sink {
    /// A buffer to fill (its contents are whatever they were).
    fn buffer(&mut self) -> Buf;
    /// Writes `buf[..len]`.
    fn put(&mut self, buf: Buf, len: usize) -> Result<(), IoFailure>;
}

/// Writes on the calling thread, reusing one spare buffer.
struct InlineSink<W> {
    out: W,
    len: usize,
    spare: Option<Buf>,
}

impl<W: Write> InlineSink<W> {
    fn new(out: W, len: usize) -> Self {
        Self {
            out,
            len,
            spare: None,
        }
    }
}

impl<W: Write> Sink for InlineSink<W> {
    fn buffer(&mut self) -> Buf {
        self.spare.take().unwrap_or_else(|| Buf::new(self.len))
    }

    fn put(&mut self, buf: Buf, len: usize) -> Result<(), IoFailure> {
        let written = self.out.write_all(&buf.0[..len]);
        self.spare = Some(buf);
        written.map_err(IoFailure::Write)
    }
}

/// How many buffers a [`ThreadSink`] makes at most: the memory bound of a stream.
const MAX_BUFFERS: usize = 4;

/// Writes on a thread of its own, so that writing overlaps the cipher; buffers go back and
/// forth, at most [`MAX_BUFFERS`] of them.
struct ThreadSink {
    full: Option<SyncSender<(Buf, usize)>>,
    free: Receiver<Buf>,
    made: usize,
    len: usize,
    writer: Option<JoinHandle<io::Result<()>>>,
}

impl ThreadSink {
    /// Starts the writer thread; gives `out` back when no thread can be started.
    fn start<W: Write + Send + 'static>(out: W, len: usize) -> Result<Self, W> {
        let (full_tx, full_rx) = sync_channel::<(Buf, usize)>(MAX_BUFFERS);
        let (free_tx, free_rx) = sync_channel::<Buf>(MAX_BUFFERS);
        let (out_tx, out_rx) = sync_channel::<W>(1);
        let spawned = thread::Builder::new()
            .name("crypto-file-writer".into())
            .spawn(move || {
                let Ok(mut out) = out_rx.recv() else {
                    return Ok(());
                };
                for (buf, len) in full_rx {
                    out.write_all(&buf.0[..len])?;
                    // The stream may be done with buffers: then this one is dropped.
                    let _ = free_tx.try_send(buf);
                }
                out.flush()
            });
        let writer = match spawned {
            Ok(writer) => writer,
            Err(_) => return Err(out),
        };
        if let Err(returned) = out_tx.send(out) {
            // The thread is gone already (it cannot be, but then write here).
            let _ = writer.join();
            return Err(returned.0);
        }
        Ok(Self {
            full: Some(full_tx),
            free: free_rx,
            made: 0,
            len,
            writer: Some(writer),
        })
    }

    /// Waits until everything handed over is written (or writing failed).
    fn finish(mut self) -> Result<(), IoFailure> {
        self.full = None;
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(written)) => written.map_err(IoFailure::Write),
            Some(Err(_)) => Err(IoFailure::Write(io::Error::other(
                "the writer thread panicked",
            ))),
            None => Ok(()),
        }
    }
}

impl Sink for ThreadSink {
    fn buffer(&mut self) -> Buf {
        if let Ok(buf) = self.free.try_recv() {
            return buf;
        }
        if self.made < MAX_BUFFERS {
            self.made += 1;
            return Buf::new(self.len);
        }
        // All made and in flight: wait for one. If the writer stopped, its error comes from
        // `put` and `finish`.
        self.free.recv().unwrap_or_else(|_| Buf::new(self.len))
    }

    fn put(&mut self, buf: Buf, len: usize) -> Result<(), IoFailure> {
        let sent = match &self.full {
            Some(full) => full.send((buf, len)).is_ok(),
            None => false,
        };
        if sent {
            Ok(())
        } else {
            Err(IoFailure::Write(io::Error::other(
                "the writer thread stopped",
            )))
        }
    }
}

/// Runs `run` with a sink that writes to `out`: on a writer thread, or here when none can be
/// started. `out` is closed when this returns. A write error wins over `run`'s own: it is why
/// `run` stopped, or it came after.
fn through_sink<E: From<IoFailure>>(
    out: File,
    len: usize,
    run: impl FnOnce(&mut dyn Sink) -> Result<(), E>,
) -> Result<(), E> {
    match ThreadSink::start(out, len) {
        Ok(mut sink) => {
            let result = run(&mut sink);
            sink.finish()?;
            result
        }
        Err(out) => run(&mut InlineSink::new(out, len)),
    }
}

/// Decrypts `input` into `sink`, holding back the last [`TAG_LEN`] bytes seen: at the end
/// they are the tag. The sink's buffers must be longer than [`TAG_LEN`]. Plaintext is written
/// before the tag is checked, so the output must be thrown away on an error.
fn decrypt_stream(
    input: &mut impl Read,
    key: &FileKey,
    sink: &mut dyn Sink,
) -> Result<(), StreamError> {
    let (mut stream, mut mac) = init(key);
    let mut buf = sink.buffer();
    debug_assert!(buf.0.len() > TAG_LEN);
    let mut held = 0;
    let mut total = 0u64;
    loop {
        let n = read_some(input, &mut buf.0[held..])?;
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
        // A cache-sized piece at a time: the XOR finds in cache what the MAC just read.
        for piece in buf.0[..body].chunks_mut(PIECE_LEN) {
            mac.update(piece);
            stream.apply_keystream(piece);
        }
        let mut next = sink.buffer();
        next.0[..TAG_LEN].copy_from_slice(&buf.0[body..filled]);
        sink.put(std::mem::replace(&mut buf, next), body)?;
        held = TAG_LEN;
    }
    if held < TAG_LEN {
        return Err(StreamError::Truncated(total));
    }
    if !mac.verify(&buf.0[..TAG_LEN]) {
        return Err(StreamError::Authentication);
    }
    Ok(())
}

/// Encrypts `input` into `sink` and appends the tag. The sink's buffers must hold the tag.
fn encrypt_stream(
    input: &mut impl Read,
    key: &FileKey,
    sink: &mut dyn Sink,
) -> Result<(), IoFailure> {
    let (mut stream, mut mac) = init(key);
    loop {
        let mut buf = sink.buffer();
        let n = read_some(input, &mut buf.0)?;
        if n == 0 {
            buf.0[..TAG_LEN].copy_from_slice(&mac.tag());
            return sink.put(buf, TAG_LEN);
        }
        for piece in buf.0[..n].chunks_mut(PIECE_LEN) {
            stream.apply_keystream(piece);
            mac.update(piece);
        }
        sink.put(buf, n)?;
    }
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
        fs::rename(&self.path, dst)
            .map_err(CryptoFileError::io("rename the temporary file onto", dst))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// Decodes a hex string of the test vectors.
    fn hex(parts: &[&str]) -> Vec<u8> {
        let text: String = parts.concat();
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("test vector hex"))
            .collect()
    }

    // NaCl's published crypto_box / crypto_secretbox test vector, as libsodium's tests carry it
    // (repository jedisct1/libsodium): the X25519 shared secret of Alice and Bob (`shared` in
    // test/default/core1.c), `firstkey` = HSalsa20(shared, 0) (test/default/secretbox.c), the
    // nonce and the 131-byte message after the 32 zero bytes (test/default/box.c), and
    // crypto_box's output after its 16 zero bytes: the tag, then the ciphertext
    // (test/default/box.exp).
    const SHARED: &str = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    const FIRSTKEY: &str = "1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389";
    const NONCE: &str = "69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37";
    const MESSAGE: [&str; 3] = [
        "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c6129",
        "6cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde",
        "048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705",
    ];
    const TAG: &str = "f3ffc7703f9400e52a7dfb4b3d3305d9";
    const CIPHERTEXT: [&str; 3] = [
        "8e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c972",
        "71d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae90224368517acfeabd6bb3732bc0e9da",
        "99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74e355a5",
    ];

    fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
        bytes.try_into().expect("test vector length")
    }

    /// The vector's key as a file key: the raw shared secret, which the format derives from.
    fn nacl_key() -> FileKey {
        FileKey::from_bytes(array(&hex(&[SHARED])), array(&hex(&[NONCE])))
    }

    /// The file the core would write for the vector's message: ciphertext, then tag.
    fn nacl_file() -> Vec<u8> {
        let mut file = hex(&CIPHERTEXT);
        file.extend(hex(&[TAG]));
        file
    }

    /// Deterministic test data (not random in any cryptographic sense).
    fn data(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn firstkey_is_hsalsa20_of_the_shared_secret() {
        let first = salsa20::hsalsa::<U10>(
            GenericArray::from_slice(&hex(&[SHARED])),
            &GenericArray::default(),
        );
        assert_eq!(first.as_slice(), hex(&[FIRSTKEY]).as_slice());
    }

    #[test]
    fn nacl_vector_is_a_core_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vector");
        let message = hex(&MESSAGE);
        assert_eq!(message.len(), 131);

        write_with_key(&path, &message, &nacl_key()).expect("write");
        assert_eq!(fs::read(&path).expect("read back"), nacl_file());

        fs::write(&path, nacl_file()).expect("write vector");
        assert_eq!(read(&path, &nacl_key()).expect("read"), message);
        let plain = dir.path().join("plain");
        decrypt_to(&path, &nacl_key(), &plain).expect("decrypt_to");
        assert_eq!(fs::read(&plain).expect("read plain"), message);
    }

    /// A writer the test keeps a handle on, that fails once it has taken `fail_after` bytes.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>, Option<usize>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let mut out = self.0.lock().expect("lock");
            if self.1.is_some_and(|limit| out.len() + buf.len() > limit) {
                return Err(io::Error::other("disk full"));
            }
            out.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn bytes(&self) -> Vec<u8> {
            self.0.lock().expect("lock").clone()
        }
    }

    /// Runs a stream with buffers of `len` bytes into `out`, on a writer thread or inline.
    fn stream_into<E>(
        out: &Shared,
        len: usize,
        threaded: bool,
        run: impl FnOnce(&mut dyn Sink) -> Result<(), E>,
    ) -> Result<(), StreamError>
    where
        StreamError: From<E>,
    {
        if threaded {
            let Ok(mut sink) = ThreadSink::start(out.clone(), len) else {
                panic!("no writer thread");
            };
            let result = run(&mut sink);
            assert!(sink.made <= MAX_BUFFERS, "{} buffers", sink.made);
            sink.finish()?;
            Ok(result?)
        } else {
            Ok(run(&mut InlineSink::new(out.clone(), len))?)
        }
    }

    fn decrypt_with(
        input: &mut impl Read,
        key: &FileKey,
        len: usize,
        threaded: bool,
    ) -> Result<Vec<u8>, StreamError> {
        let out = Shared::default();
        stream_into(&out, len, threaded, |sink| decrypt_stream(input, key, sink))?;
        Ok(out.bytes())
    }

    fn encrypt_with(
        input: &mut impl Read,
        key: &FileKey,
        len: usize,
        threaded: bool,
    ) -> Result<Vec<u8>, StreamError> {
        let out = Shared::default();
        stream_into(&out, len, threaded, |sink| encrypt_stream(input, key, sink))?;
        Ok(out.bytes())
    }

    #[test]
    fn nacl_vector_streams_with_any_buffer_size() {
        let message = hex(&MESSAGE);
        for threaded in [false, true] {
            for len in [TAG_LEN + 1, TAG_LEN + 3, 20, 32, 33, 47, 100, 200] {
                let out = decrypt_with(&mut nacl_file().as_slice(), &nacl_key(), len, threaded)
                    .expect("decrypt_stream");
                assert_eq!(
                    out, message,
                    "decrypting with {len}-byte buffers, {threaded}"
                );

                let out = encrypt_with(&mut message.as_slice(), &nacl_key(), len, threaded)
                    .expect("encrypt_stream");
                assert_eq!(
                    out,
                    nacl_file(),
                    "encrypting with {len}-byte buffers, {threaded}"
                );
            }
        }
    }

    /// Input that comes a few bytes at a time, as a pipe may give it.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.1 = self.1 % 7 + 1;
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn short_reads_give_the_same_bytes() {
        let message = hex(&MESSAGE);
        for threaded in [false, true] {
            let file = nacl_file();
            let out = decrypt_with(
                &mut Trickle(&file, 0),
                &nacl_key(),
                BUF_LEN + TAG_LEN,
                threaded,
            )
            .expect("decrypt_stream");
            assert_eq!(out, message);
            let out = encrypt_with(&mut Trickle(&message, 3), &nacl_key(), 64, threaded)
                .expect("encrypt_stream");
            assert_eq!(out, nacl_file());
        }
    }

    #[test]
    fn a_failing_writer_stops_the_stream_with_its_error() {
        let key = FileKey::generate().expect("generate");
        let plain = data(10 * BUF_LEN, 3);
        let mut file = Vec::new();
        encrypt_stream(
            &mut plain.as_slice(),
            &key,
            &mut InlineSink::new(&mut file, BUF_LEN),
        )
        .expect("encrypt");
        for threaded in [false, true] {
            let out = Shared(Arc::default(), Some(3 * BUF_LEN));
            let result = stream_into(&out, BUF_LEN + TAG_LEN, threaded, |sink| {
                decrypt_stream(&mut file.as_slice(), &key, sink)
            });
            match result {
                Err(StreamError::Io(IoFailure::Write(e))) => assert_eq!(e.to_string(), "disk full"),
                other => panic!("threaded {threaded}: {other:?}"),
            }
            let out = Shared(Arc::default(), Some(5 * BUF_LEN));
            let result = stream_into(&out, BUF_LEN, threaded, |sink| {
                encrypt_stream(&mut plain.as_slice(), &key, sink)
            });
            assert!(
                matches!(result, Err(StreamError::Io(IoFailure::Write(_)))),
                "threaded {threaded}: {result:?}"
            );
        }
    }

    #[test]
    fn the_raw_key_is_not_the_format() {
        // crypto_secretbox keyed with `fileKey` itself would be NaCl's output with `firstkey`
        // as `fileKey`; the core's format derives once more, so the files differ.
        let key = FileKey::from_bytes(array(&hex(&[FIRSTKEY])), array(&hex(&[NONCE])));
        let out = encrypt_with(&mut hex(&MESSAGE).as_slice(), &key, 64, false).expect("encrypt");
        assert_eq!(out.len(), nacl_file().len());
        assert_ne!(out, nacl_file());
    }

    #[test]
    fn round_trips_whole_and_streaming_agree() {
        let dir = tempfile::tempdir().expect("tempdir");
        let sizes = [
            0,
            1,
            31,
            32,
            33,
            BUF_LEN - 1,
            BUF_LEN,
            BUF_LEN + 1,
            3 * 1024 * 1024 + 7,
        ];
        for (i, size) in sizes.into_iter().enumerate() {
            let plain = data(size, i as u64);
            let key = FileKey::generate().expect("generate");
            let whole = dir.path().join(format!("whole-{size}"));
            let streamed = dir.path().join(format!("streamed-{size}"));
            let plain_path = dir.path().join(format!("plain-{size}"));
            fs::write(&plain_path, &plain).expect("write plain");

            write_with_key(&whole, &plain, &key).expect("write_with_key");
            encrypt_to_with_key(&plain_path, &streamed, &key).expect("encrypt_to_with_key");
            let encrypted = fs::read(&whole).expect("read whole");
            assert_eq!(encrypted.len(), size + TAG_LEN, "size {size}");
            assert_eq!(
                encrypted,
                fs::read(&streamed).expect("read streamed"),
                "size {size}"
            );
            if size >= 32 {
                assert_ne!(&encrypted[..32], &plain[..32], "size {size}: not encrypted");
            }

            assert_eq!(read(&whole, &key).expect("read"), plain, "size {size}");
            let out = dir.path().join(format!("out-{size}"));
            decrypt_to(&streamed, &key, &out).expect("decrypt_to");
            assert_eq!(fs::read(&out).expect("read out"), plain, "size {size}");
        }
    }

    #[test]
    fn fresh_keys_are_fresh() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        let key_a = write(&a, b"same").expect("write a");
        let key_b = write(&b, b"same").expect("write b");
        assert_ne!(key_a.key_bytes(), key_b.key_bytes());
        assert_ne!(key_a.nonce_bytes(), key_b.nonce_bytes());
        assert_ne!(fs::read(&a).expect("a"), fs::read(&b).expect("b"));
        assert_eq!(read(&a, &key_a).expect("read a"), b"same");
        let plain = dir.path().join("plain");
        fs::write(&plain, b"streamed").expect("write plain");
        let key_c = encrypt_to(&plain, &b).expect("encrypt_to");
        assert_eq!(read(&b, &key_c).expect("read b"), b"streamed");
    }

    /// The ways a file can fail to decrypt, each with the error it must give.
    fn assert_fails(
        dir: &Path,
        name: &str,
        contents: &[u8],
        key: &FileKey,
        check: impl Fn(&CryptoFileError) -> bool,
    ) {
        let src = dir.join(format!("{name}.enc"));
        fs::write(&src, contents).expect("write case");
        match read(&src, key) {
            Err(e) => assert!(check(&e), "{name}: read gave {e:?}"),
            Ok(bytes) => panic!("{name}: read gave {} bytes", bytes.len()),
        }
        let dst = dir.join(format!("{name}.out"));
        match decrypt_to(&src, key, &dst) {
            Err(e) => assert!(check(&e), "{name}: decrypt_to gave {e:?}"),
            Ok(()) => panic!("{name}: decrypt_to succeeded"),
        }
        assert!(!dst.exists(), "{name}: plaintext left at dst");
        assert_eq!(
            names(dir),
            vec![format!("{name}.enc")],
            "{name}: files left"
        );

        // A file already at dst is left as it was.
        fs::write(&dst, b"before").expect("write dst");
        assert!(
            decrypt_to(&src, key, &dst).is_err(),
            "{name}: over an existing dst"
        );
        assert_eq!(
            fs::read(&dst).expect("read dst"),
            b"before",
            "{name}: dst changed"
        );
        fs::remove_file(&dst).expect("remove dst");
        fs::remove_file(&src).expect("remove src");
    }

    fn is_auth(e: &CryptoFileError) -> bool {
        matches!(e, CryptoFileError::Authentication { .. })
    }

    #[test]
    fn tampering_and_wrong_keys_fail_and_leave_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let dir = dir.path();
        let key = FileKey::generate().expect("generate");
        // Longer than the buffer, so that failures come after plaintext was streamed out.
        let plain = data(BUF_LEN * 2 + 100, 7);
        let good = dir.join("good");
        write_with_key(&good, &plain, &key).expect("write");
        let file = fs::read(&good).expect("read good");
        fs::remove_file(&good).expect("remove good");

        let mut wrong_key = *key.key_bytes();
        wrong_key[0] ^= 1;
        assert_fails(
            dir,
            "wrong-key",
            &file,
            &FileKey::from_bytes(wrong_key, *key.nonce_bytes()),
            is_auth,
        );
        let mut wrong_nonce = *key.nonce_bytes();
        wrong_nonce[23] ^= 0x80;
        assert_fails(
            dir,
            "wrong-nonce",
            &file,
            &FileKey::from_bytes(*key.key_bytes(), wrong_nonce),
            is_auth,
        );

        let last = file.len() - 1;
        for (name, at) in [
            ("flipped-tag-first", last - 15),
            ("flipped-tag-last", last),
            ("flipped-first-byte", 0),
            ("flipped-past-buffer", BUF_LEN + 5),
            ("flipped-last-body-byte", last - 16),
        ] {
            let mut bad = file.clone();
            bad[at] ^= 0x01;
            assert_fails(dir, name, &bad, &key, is_auth);
        }

        assert_fails(dir, "one-byte-short", &file[..last], &key, is_auth);
        assert_fails(
            dir,
            "one-byte-more",
            &[&file[..], b"x"].concat(),
            &key,
            is_auth,
        );
        assert_fails(dir, "just-a-wrong-tag", &file[last - 15..], &key, is_auth);
        for len in [0, 1, 15] {
            assert_fails(
                dir,
                &format!("truncated-{len}"),
                &file[..len],
                &key,
                |e| matches!(e, CryptoFileError::Truncated { len: l, .. } if *l == len as u64),
            );
        }
    }

    #[test]
    fn an_empty_plaintext_is_only_the_tag() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("empty");
        let key = write(&path, b"").expect("write");
        assert_eq!(fs::metadata(&path).expect("metadata").len(), TAG_LEN as u64);
        assert_eq!(read(&path, &key).expect("read"), b"");
    }

    #[test]
    fn error_messages_say_what_happened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("short");
        fs::write(&path, [0u8; 15]).expect("write");
        let e = read(&path, &nacl_key()).expect_err("truncated");
        assert_eq!(
            e.to_string(),
            format!(
                "{}: truncated: 15 bytes, less than the 16-byte tag",
                path.display()
            )
        );

        fs::write(&path, nacl_file()).expect("write");
        let other = FileKey::from_bytes([1; 32], array(&hex(&[NONCE])));
        let e = read(&path, &other).expect_err("wrong key");
        assert_eq!(
            e.to_string(),
            format!(
                "{}: authentication failed: wrong key, or the file was changed",
                path.display()
            )
        );

        let missing = dir.path().join("missing");
        let e = read(&missing, &nacl_key()).expect_err("missing");
        assert!(matches!(&e, CryptoFileError::Io { op: "read", path, .. } if *path == missing));
        assert!(
            e.to_string()
                .starts_with(&format!("could not read {}: ", missing.display())),
            "{e}"
        );
        let e = decrypt_to(&missing, &nacl_key(), dir.path().join("out")).expect_err("missing");
        assert!(
            e.to_string()
                .starts_with(&format!("could not open {}: ", missing.display())),
            "{e}"
        );

        let nowhere = dir.path().join("no-such-dir").join("out");
        let e = decrypt_to(&path, &nacl_key(), &nowhere).expect_err("no dir");
        assert!(
            e.to_string().starts_with(&format!(
                "could not create a temporary file for {}: ",
                nowhere.display()
            )),
            "{e}"
        );
        let e = write(dir.path().join("no-such-dir").join("x"), b"x").expect_err("no dir");
        assert!(
            matches!(
                e,
                CryptoFileError::Io {
                    op: "create a temporary file for",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn keys_as_the_core_writes_them() {
        let key = nacl_key();
        let args = key.to_args();
        // 32 bytes: 43 characters and one `=`; 24 bytes: 32 characters, no padding needed.
        assert_eq!(
            args.file_key,
            "Sl2dW6TOLeFyjjv0gDUPJeB-IclH0Z4zdvCbPB4WF0I="
        );
        assert_eq!(args.file_nonce, "aWlu6VW2K3PNYr2odfxz1oIZ4ANregs3");
        assert_eq!(FileKey::from_args(&args).expect("from_args"), key);

        let json = format!(
            r#"{{"filePath":"/tmp/f","cryptoArgs":{{"fileKey":"{}","fileNonce":"{}"}}}}"#,
            args.file_key, args.file_nonce
        );
        let file: CryptoFile = serde_json::from_str(&json).expect("CryptoFile JSON");
        let from_json = FileKey::from_args(file.crypto_args.as_ref().expect("cryptoArgs"));
        assert_eq!(from_json.expect("key"), key);
        assert_eq!(key.to_crypto_file("/tmp/f"), file);

        // Without the padding, as the core's parser also takes it.
        let unpadded = args.file_key.trim_end_matches('=');
        assert_eq!(
            FileKey::from_base64(unpadded, &args.file_nonce).expect("unpadded"),
            key
        );
    }

    #[test]
    fn bad_key_strings_are_refused() {
        let nonce = "aWlu6VW2K3PNYr2odfxz1oIZ4ANregs3";
        let key = "Sl2dW6TOLeFyjjv0gDUPJeB-IclH0Z4zdvCbPB4WF0I=";
        let cases: [(&str, &str, &str); 8] = [
            // 31 and 33 bytes.
            (
                "Sl2dW6TOLeFyjjv0gDUPJeB-IclH0Z4zdvCbPB4WFw==",
                nonce,
                "fileKey has 31 bytes, expected 32",
            ),
            (
                "Sl2dW6TOLeFyjjv0gDUPJeB-IclH0Z4zdvCbPB4WF0IA",
                nonce,
                "fileKey has 33 bytes, expected 32",
            ),
            ("", nonce, "fileKey has 0 bytes, expected 32"),
            (
                key,
                "aWlu6VW2K3PNYr2odfxz1oIZ4ANregs=",
                "fileNonce has 23 bytes, expected 24",
            ),
            // The standard alphabet, which the core never writes.
            (
                "Sl2dW6TOLeFyjjv0gDUPJeB+IclH0Z4zdvCbPB4WF0I=",
                nonce,
                "fileKey is not base64url: ",
            ),
            (
                key,
                "aWlu6VW2K3PNYr2odfxz1oIZ4ANreg/3",
                "fileNonce is not base64url: ",
            ),
            (
                key,
                "aWlu6VW2K3PNYr2o dfxz1oIZ4ANregs3",
                "fileNonce is not base64url: ",
            ),
            // Too much padding.
            (
                "Sl2dW6TOLeFyjjv0gDUPJeB-IclH0Z4zdvCbPB4WF0I==",
                nonce,
                "fileKey is not base64url: ",
            ),
        ];
        for (k, n, message) in cases {
            let e = FileKey::from_base64(k, n).expect_err(message);
            assert!(e.to_string().starts_with(message), "{k:?} {n:?}: {e}");
            let field = if message.starts_with("fileKey") {
                KeyField::Key
            } else {
                KeyField::Nonce
            };
            assert!(
                matches!(e, CryptoFileError::Base64 { field: f, .. } | CryptoFileError::Length { field: f, .. } if f == field),
                "{e:?}"
            );
        }
        let args = CryptoFileArgs::new("not a key".into(), nonce.into());
        assert!(FileKey::try_from(&args).is_err());
    }

    #[test]
    fn debug_shows_no_key() {
        let key = nacl_key();
        let shown = format!("{key:?}");
        assert_eq!(shown, "FileKey { .. }");
        assert!(!shown.contains("4a") && !shown.contains("Sl2d"));
    }

    #[test]
    fn read_file_follows_crypto_args() {
        let dir = tempfile::tempdir().expect("tempdir");
        let enc = dir.path().join("enc");
        let key = write(&enc, b"secret").expect("write");
        let file = key.to_crypto_file(enc.to_string_lossy());
        assert_eq!(read_file(&file).expect("encrypted"), b"secret");
        let plain = dir.path().join("plain");
        fs::write(&plain, b"open").expect("write plain");
        let file = CryptoFile::new(plain.to_string_lossy().into_owned());
        assert_eq!(read_file(&file).expect("plain"), b"open");
    }
}
