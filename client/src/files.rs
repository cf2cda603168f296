//! Files: receiving one and waiting until it is complete, sending messages with files and
//! waiting until they are uploaded.
//!
//! A file transfer is a command and then events: the core answers `ReceiveFile` with
//! `rcvFileAccepted` and, later, sends `rcvFileComplete` (or `rcvFileError`,
//! `rcvFileSndCancelled`); it answers `ApiSendMessages` with the new items and, later, sends
//! `sndFileCompleteXFTP` (or `sndFileError`) for each file. [`Client::receive_file`] and
//! [`Client::send_with_files`] do both halves: the client's reader matches each file event to
//! the call waiting for that file id, in whatever order and however many are in flight. Every
//! event is still delivered on [`Events`](crate::Events) as well: waiting takes nothing away
//! from the bot's event handlers, and an event for a file nobody waits for is just an event.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use simplex_api_types::commands::{ApiSendMessages, CancelFile, ReceiveFile, ReceiveFileResponse};
use simplex_api_types::events::{RcvFileComplete, RcvFileError, SndFileError};
use simplex_api_types::types::{AChatItem, CiFile, CryptoFile, CryptoFileArgs};
use simplex_api_types::ChatEvent;
use tokio::sync::oneshot;

use crate::{Client, ClientError};

/// How long [`Client::receive_file`] and [`Client::send_with_files`] wait for a transfer to
/// end when the options name no time: 10 minutes (files go through XFTP relays, which can be
/// slow).
pub const DEFAULT_TRANSFER_TIMEOUT: Duration = Duration::from_secs(600);

/// Why a file was not received or sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The file is larger than [`ReceiveOptions::max_size`]: it was not accepted, and the core
    /// was asked nothing.
    #[error("file {file_id} ({name:?}) is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// The file's id.
        file_id: i64,
        /// Its name, as the sender gave it.
        name: String,
        /// Its size as the sender announced it.
        size: i64,
        /// The limit.
        limit: u64,
    },
    /// The command failed: the core refused it (the file is unknown, already received,
    /// cancelled...), or there was no response.
    #[error("file {file_id}: {source}")]
    Command {
        /// The file's id (`0` when sending: no file had an id yet).
        file_id: i64,
        /// What went wrong.
        #[source]
        source: ClientError,
    },
    /// The core could not receive the file (`rcvFileError`).
    #[error("file {file_id}: receiving failed: {}", .event.agent_error)]
    Receive {
        /// The file's id.
        file_id: i64,
        /// The event, with the core's error.
        event: Box<RcvFileError>,
    },
    /// The sender cancelled the file (`rcvFileSndCancelled`, or `rcvFileAcceptedSndCancelled`
    /// in answer to `ReceiveFile`).
    #[error("file {file_id}: the sender cancelled it")]
    SenderCancelled {
        /// The file's id.
        file_id: i64,
    },
    /// The core could not send the file (`sndFileError`).
    #[error("file {file_id}: sending failed: {}", .event.error_message)]
    Send {
        /// The file's id.
        file_id: i64,
        /// The event, with the core's error.
        event: Box<SndFileError>,
    },
    /// The bot cancelled the file ([`Client::cancel_file`]) while waiting for it.
    #[error("file {file_id}: cancelled")]
    Cancelled {
        /// The file's id.
        file_id: i64,
    },
    /// The transfer did not end within the time given. The core may still complete it: its
    /// event is then delivered on [`Events`](crate::Events) like any other.
    #[error("file {file_id}: the transfer did not end within {timeout:?}")]
    Timeout {
        /// The file's id.
        file_id: i64,
        /// How long it waited.
        timeout: Duration,
    },
    /// The connection closed while waiting for the transfer to end.
    #[error("file {file_id}: the connection to the chat core closed before the transfer ended")]
    Disconnected {
        /// The file's id.
        file_id: i64,
    },
}

/// How to receive a file: [`Client::receive_file`], or
/// [`Message::receive_file`](crate::bot::Message::receive_file) in a bot.
///
/// The defaults are the core's: stored unencrypted in the core's files folder, inline as the
/// core decides, relays as approved by the user; no size limit, waiting at most
/// [`DEFAULT_TRANSFER_TIMEOUT`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiveOptions {
    max_size: Option<u64>,
    encrypt: Option<bool>,
    inline: Option<bool>,
    path: Option<String>,
    approved_relays: bool,
    timeout: Option<Duration>,
}

impl ReceiveOptions {
    /// The defaults (see the type).
    pub fn new() -> Self {
        Self::default()
    }

    /// Refuse files larger than `bytes` (as their sender announced them) before accepting
    /// them: [`FileError::TooLarge`].
    #[must_use]
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.max_size = Some(bytes);
        self
    }

    /// Store the file encrypted (`encrypt=on`): the received [`CryptoFile`] then carries
    /// its key and nonce. `false` asks for an unencrypted file explicitly.
    #[must_use]
    pub fn encrypt(mut self, on: bool) -> Self {
        self.encrypt = Some(on);
        self
    }

    /// Receive the file inline, in the messages themselves, when the sender offers it that
    /// way (`inline=on`), or not (`inline=off`).
    #[must_use]
    pub fn inline(mut self, on: bool) -> Self {
        self.inline = Some(on);
        self
    }

    /// Where the core stores the file: a file path, or a directory to store it in under its
    /// own name. By default the core's files folder.
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Accept the file from relays the user has not approved (`approved_relays=on`).
    #[must_use]
    pub fn approved_relays(mut self, on: bool) -> Self {
        self.approved_relays = on;
        self
    }

    /// Wait at most this long for the transfer to end (from when the core accepted it).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The `ReceiveFile` command these options make for `file_id`.
    pub fn command(&self, file_id: i64) -> ReceiveFile {
        let mut cmd = ReceiveFile::new(file_id);
        cmd.user_approved_relays = self.approved_relays;
        cmd.store_encrypted = self.encrypt;
        cmd.file_inline = self.inline;
        cmd.file_path.clone_from(&self.path);
        cmd
    }
}

/// A file the core received completely: where it stored it, and the chat item it came with.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedFile {
    event: Box<RcvFileComplete>,
}

impl ReceivedFile {
    /// The file's id.
    pub fn file_id(&self) -> i64 {
        self.file().map_or(0, |f| f.file_id)
    }

    /// The file's name, as the sender gave it.
    pub fn name(&self) -> &str {
        self.file().map_or("", |f| f.file_name.as_str())
    }

    /// The file's size, as the sender announced it.
    pub fn size(&self) -> i64 {
        self.file().map_or(0, |f| f.file_size)
    }

    /// Where the core stored the file, as it reports it (`None` when the event names no path).
    /// The core resolves relative paths against its files folder.
    pub fn path(&self) -> Option<&Path> {
        self.source().map(|s| Path::new(&s.file_path))
    }

    /// The key and nonce of a file stored encrypted (see
    /// `crypto_file` with the `crypto-file` feature); `None` for a plain file.
    pub fn crypto_args(&self) -> Option<&CryptoFileArgs> {
        self.source()?.crypto_args.as_ref()
    }

    /// Reads the whole file; one stored encrypted ([`ReceiveOptions::encrypt`]) is decrypted
    /// (with the `crypto-file` feature; without it, reading one is an error that says so),
    /// its tag checked before any of it is returned.
    ///
    /// Fails with an error naming the path when the core reported none, when it cannot be
    /// read (for example a relative path while the bot runs in another directory than the
    /// core), or when an encrypted file does not decrypt.
    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        let file_id = self.file_id();
        let source = self.source().ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("file {file_id}: the core reported no path for it"),
            )
        })?;
        let path = Path::new(&source.file_path);
        let located = |e: std::io::Error| {
            std::io::Error::new(
                e.kind(),
                format!(
                    "file {file_id}: cannot read {}, where the core stored it: {e}",
                    path.display()
                ),
            )
        };
        if source.crypto_args.is_none() {
            return std::fs::read(path).map_err(located);
        }
        #[cfg(feature = "crypto-file")]
        {
            crate::crypto_file::read_file(source).map_err(|e| match e {
                crate::crypto_file::CryptoFileError::Io { source, .. } => located(source),
                other => std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("file {file_id}: {other}"),
                ),
            })
        }
        #[cfg(not(feature = "crypto-file"))]
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            format!("file {file_id} is stored encrypted: reading it needs the crypto-file feature"),
        ))
    }

    /// The chat item the file came with, now with the stored path.
    pub fn item(&self) -> &AChatItem {
        &self.event.chat_item
    }

    /// The `rcvFileComplete` event itself.
    pub fn event(&self) -> &RcvFileComplete {
        &self.event
    }

    fn file(&self) -> Option<&CiFile> {
        self.event.chat_item.chat_item.file.as_deref()
    }

    fn source(&self) -> Option<&CryptoFile> {
        self.file()?.file_source.as_ref()
    }
}

impl Client {
    /// Accepts `file` (from a received chat item's [`file`](simplex_api_types::types::ChatItem::file))
    /// and waits until the core has received it completely.
    ///
    /// Refuses a file larger than [`ReceiveOptions::max_size`] before sending anything. Then
    /// sends `ReceiveFile` and waits for the file's `rcvFileComplete`, at most the options'
    /// timeout from the core's answer. Fails with the core's refusal, `rcvFileError`,
    /// the sender's cancelling, [`cancel_file`](Self::cancel_file), a timeout or a closed
    /// connection ([`FileError`]). Any number of files can be received at once; their events
    /// may come in any order.
    pub async fn receive_file(
        &self,
        file: &CiFile,
        options: &ReceiveOptions,
    ) -> Result<ReceivedFile, FileError> {
        let file_id = file.file_id;
        if let Some(limit) = options.max_size {
            if u64::try_from(file.file_size).map_or(true, |size| size > limit) {
                return Err(FileError::TooLarge {
                    file_id,
                    name: file.file_name.clone(),
                    size: file.file_size,
                    limit,
                });
            }
        }
        let timeout = options.timeout.unwrap_or(DEFAULT_TRANSFER_TIMEOUT);
        // Registered before the command goes out: the completion may follow its answer at once.
        let waiter = self.watchers().wait(file_id, Side::Receive);
        let command_error = |source| FileError::Command { file_id, source };
        let response = self
            .send(&options.command(file_id))
            .await
            .map_err(command_error)?;
        match response {
            ReceiveFileResponse::RcvFileAcceptedSndCancelled(_) => {
                return Err(FileError::SenderCancelled { file_id })
            }
            other => {
                other
                    .into_result()
                    .map_err(|e| command_error(ClientError::from(e)))?;
            }
        }
        match waiter.outcome(timeout).await? {
            Outcome::Received(event) => Ok(ReceivedFile { event }),
            other => Err(other.into_error(file_id)),
        }
    }

    /// Cancels file `file_id` (`CancelFile`): a [`receive_file`](Self::receive_file) or
    /// [`send_with_files`](Self::send_with_files) waiting for it fails with
    /// [`FileError::Cancelled`].
    pub async fn cancel_file(&self, file_id: i64) -> Result<(), ClientError> {
        self.send(&CancelFile::new(file_id)).await?.into_result()?;
        self.watchers().resolve(file_id, Outcome::Cancelled);
        Ok(())
    }

    /// Sends messages that may carry files (`ApiSendMessages`, each file named by its
    /// [`file_source`](simplex_api_types::types::ComposedMessage::file_source)) and waits until
    /// every file among the new items is uploaded (`sndFileCompleteXFTP`), at most `timeout`
    /// from the core's answer. Returns the new items.
    ///
    /// Fails with the core's refusal, the first `sndFileError`, [`cancel_file`](Self::cancel_file),
    /// a timeout or a closed connection. To send without waiting for uploads, use
    /// [`send`](Self::send).
    pub async fn send_with_files(
        &self,
        command: &ApiSendMessages,
        timeout: Duration,
    ) -> Result<Vec<AChatItem>, FileError> {
        // File events that arrive before the answer is read are kept until it is.
        let interest = self.watchers().expect_uploads();
        let response = self
            .send(command)
            .await
            .and_then(|r| Ok(r.into_result()?))
            .map_err(|source| FileError::Command { file_id: 0, source })?;
        let items = response.chat_items;
        let waiters: Vec<_> = items
            .iter()
            .filter_map(|item| item.chat_item.file.as_deref())
            .map(|file| (file.file_id, interest.wait(file.file_id)))
            .collect();
        drop(interest);
        let deadline = tokio::time::Instant::now() + timeout;
        for (file_id, waiter) in waiters {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match waiter.outcome(left).await {
                Ok(Outcome::Sent) => {}
                Ok(other) => return Err(other.into_error(file_id)),
                Err(FileError::Timeout { file_id, .. }) => {
                    return Err(FileError::Timeout { file_id, timeout })
                }
                Err(e) => return Err(e),
            }
        }
        Ok(items)
    }

    fn watchers(&self) -> &Watchers {
        &self.shared().files
    }
}

/// How a transfer ended, as one waiter sees it.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Received(Box<RcvFileComplete>),
    ReceiveFailed(Box<RcvFileError>),
    SenderCancelled,
    Sent,
    SendFailed(Box<SndFileError>),
    Cancelled,
}

impl Outcome {
    fn into_error(self, file_id: i64) -> FileError {
        match self {
            Outcome::ReceiveFailed(event) => FileError::Receive { file_id, event },
            Outcome::SenderCancelled => FileError::SenderCancelled { file_id },
            Outcome::SendFailed(event) => FileError::Send { file_id, event },
            Outcome::Cancelled => FileError::Cancelled { file_id },
            // Not errors; a waiter of the other direction never sees them.
            Outcome::Received(_) | Outcome::Sent => FileError::Cancelled { file_id },
        }
    }

    /// The file id and side of a transfer an event ends, if it does (cheap: nothing cloned).
    fn ends(event: &ChatEvent) -> Option<(i64, Side)> {
        let item_file = |item: &AChatItem| item.chat_item.file.as_deref().map(|f| f.file_id);
        match event {
            ChatEvent::RcvFileComplete(e) => Some((item_file(&e.chat_item)?, Side::Receive)),
            ChatEvent::RcvFileError(e) => Some((e.rcv_file_transfer.file_id, Side::Receive)),
            ChatEvent::RcvFileSndCancelled(e) => Some((e.rcv_file_transfer.file_id, Side::Receive)),
            ChatEvent::SndFileCompleteXftp(e) => Some((e.file_transfer_meta.file_id, Side::Send)),
            ChatEvent::SndFileError(e) => Some((e.file_transfer_meta.file_id, Side::Send)),
            _ => None,
        }
    }

    /// The outcome an event that [`ends`](Self::ends) a transfer ends it with.
    fn of(event: &ChatEvent) -> Option<Outcome> {
        Some(match event {
            ChatEvent::RcvFileComplete(e) => Outcome::Received(Box::new(RcvFileComplete::clone(e))),
            ChatEvent::RcvFileError(e) => Outcome::ReceiveFailed(Box::new(RcvFileError::clone(e))),
            ChatEvent::RcvFileSndCancelled(_) => Outcome::SenderCancelled,
            ChatEvent::SndFileCompleteXftp(_) => Outcome::Sent,
            ChatEvent::SndFileError(e) => Outcome::SendFailed(Box::new(SndFileError::clone(e))),
            _ => return None,
        })
    }
}

/// Which half of a transfer a waiter waits for: file ids of received and sent files are one
/// sequence in the core, but a waiter only takes the outcomes of its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Side {
    Receive,
    Send,
}

/// The calls waiting for file transfers to end, by file id; held by the connection's shared
/// state, fed by its reader.
#[derive(Debug, Default)]
pub(crate) struct Watchers {
    /// Waiters plus upload interests: when zero, events pass without taking the lock.
    active: AtomicUsize,
    state: Mutex<WatchState>,
}

#[derive(Debug, Default)]
struct WatchState {
    waiting: HashMap<(i64, Side), Vec<oneshot::Sender<Outcome>>>,
    /// How many `send_with_files` calls wait for their answer.
    expecting_uploads: usize,
    /// Upload outcomes that arrived while such a call waited, before it could register.
    early_uploads: HashMap<i64, Outcome>,
    /// Set when the connection closed: later waiters fail at once.
    closed: bool,
}

impl Watchers {
    fn lock(&self) -> MutexGuard<'_, WatchState> {
        // Nothing panics while the lock is held, so a poisoned state is still consistent.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Called by the reader with every event: wakes the waiters of a transfer it ends.
    pub(crate) fn observe(&self, event: &ChatEvent) {
        if self.active.load(Ordering::Acquire) == 0 {
            return;
        }
        let Some((file_id, side)) = Outcome::ends(event) else {
            return;
        };
        let mut state = self.lock();
        let waiters = state.waiting.remove(&(file_id, side));
        let keep_early = side == Side::Send && state.expecting_uploads > 0;
        if waiters.is_none() && !keep_early {
            // An event for a file nobody waits for: only delivered on `Events`.
            return;
        }
        // Cloned only for a transfer someone waits for.
        let Some(outcome) = Outcome::of(event) else {
            return;
        };
        if waiters.is_none() {
            state.early_uploads.insert(file_id, outcome);
            return;
        }
        drop(state);
        for waiter in waiters.into_iter().flatten() {
            self.active.fetch_sub(1, Ordering::AcqRel);
            // A waiter whose future was dropped meanwhile: nothing to tell.
            let _ = waiter.send(outcome.clone());
        }
    }

    /// Ends every waiter of `file_id` (either direction) with `outcome`.
    fn resolve(&self, file_id: i64, outcome: Outcome) {
        let mut state = self.lock();
        let mut ended = Vec::new();
        for side in [Side::Receive, Side::Send] {
            ended.extend(state.waiting.remove(&(file_id, side)).into_iter().flatten());
        }
        drop(state);
        for waiter in ended {
            self.active.fetch_sub(1, Ordering::AcqRel);
            let _ = waiter.send(outcome.clone());
        }
    }

    /// The connection closed: every waiter fails with [`FileError::Disconnected`].
    pub(crate) fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        let waiting = std::mem::take(&mut state.waiting);
        state.early_uploads.clear();
        drop(state);
        let n: usize = waiting.values().map(Vec::len).sum();
        self.active.fetch_sub(n, Ordering::AcqRel);
    }

    fn wait(&self, file_id: i64, side: Side) -> Waiter<'_> {
        let (tx, rx) = oneshot::channel();
        let mut state = self.lock();
        if !state.closed {
            state.waiting.entry((file_id, side)).or_default().push(tx);
            self.active.fetch_add(1, Ordering::AcqRel);
        }
        Waiter {
            watchers: self,
            file_id,
            side,
            rx,
        }
    }

    fn expect_uploads(&self) -> UploadInterest<'_> {
        self.lock().expecting_uploads += 1;
        self.active.fetch_add(1, Ordering::AcqRel);
        UploadInterest { watchers: self }
    }

    /// Forgets the waiters of `(file_id, side)` whose future is gone.
    fn prune(&self, file_id: i64, side: Side) {
        let mut state = self.lock();
        let mut removed = 0;
        if let Some(list) = state.waiting.get_mut(&(file_id, side)) {
            let before = list.len();
            list.retain(|tx| !tx.is_closed());
            removed = before - list.len();
            if list.is_empty() {
                state.waiting.remove(&(file_id, side));
            }
        }
        drop(state);
        self.active.fetch_sub(removed, Ordering::AcqRel);
    }
}

/// One call waiting for one file; forgets itself when dropped.
struct Waiter<'a> {
    watchers: &'a Watchers,
    file_id: i64,
    side: Side,
    rx: oneshot::Receiver<Outcome>,
}

impl Waiter<'_> {
    async fn outcome(mut self, timeout: Duration) -> Result<Outcome, FileError> {
        let file_id = self.file_id;
        match tokio::time::timeout(timeout, &mut self.rx).await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(_)) => Err(FileError::Disconnected { file_id }),
            Err(_) => Err(FileError::Timeout { file_id, timeout }),
        }
    }
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        self.rx.close();
        self.watchers.prune(self.file_id, self.side);
    }
}

/// A `send_with_files` call waiting for its answer: upload outcomes are kept meanwhile.
struct UploadInterest<'a> {
    watchers: &'a Watchers,
}

impl<'a> UploadInterest<'a> {
    /// Waits for the upload of `file_id`, taking an outcome that arrived already.
    fn wait(&self, file_id: i64) -> Waiter<'a> {
        let waiter = self.watchers.wait(file_id, Side::Send);
        let early = self.watchers.lock().early_uploads.remove(&file_id);
        if let Some(outcome) = early {
            self.watchers.resolve_side(file_id, Side::Send, outcome);
        }
        waiter
    }
}

impl Drop for UploadInterest<'_> {
    fn drop(&mut self) {
        let mut state = self.watchers.lock();
        state.expecting_uploads -= 1;
        if state.expecting_uploads == 0 {
            state.early_uploads.clear();
        }
        drop(state);
        self.watchers.active.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Watchers {
    fn resolve_side(&self, file_id: i64, side: Side, outcome: Outcome) {
        let waiters = self.lock().waiting.remove(&(file_id, side));
        for waiter in waiters.into_iter().flatten() {
            self.active.fetch_sub(1, Ordering::AcqRel);
            let _ = waiter.send(outcome.clone());
        }
    }
}

/// A plain (unencrypted) file to send: the `fileSource` of a
/// [`ComposedMessage`](simplex_api_types::types::ComposedMessage).
pub fn file_source(path: impl AsRef<Path>) -> CryptoFile {
    CryptoFile::new(path.as_ref().to_string_lossy().into_owned())
}
