//! The model of the bot's world that the test core answers from: the bot's user and profile,
//! its address, contacts and contact requests, groups and their members, chat items, files.
//!
//! Every record starts as a copy of a record of a real captured frame (see `frames`) with the
//! model's ids, names and times put in, so that what the test core sends has the shape (and
//! the undocumented fields) of what a core sends.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use simplex_api_types::events;
use simplex_api_types::responses::{self, ChatCmdError};
use simplex_api_types::runtime::UtcTime;
use simplex_api_types::types::{
    chat_error, chat_info, ci_content, ci_direction, ci_file_status, invited_by, AChatItem,
    ChatError, ChatErrorType, ChatInfo, ChatItem, ChatRef, ChatType, CiContent, CiDirection,
    CiFile, CiFileStatus, CiStatus, Contact, ContactStatus, E2eInfo, FileInvitation, FileProtocol,
    FileType, GroupInfo, GroupMember, GroupMemberCategory, GroupMemberRole, GroupMemberStatus,
    InvitedBy, LocalProfile, MsgContent, Profile, RcvFileDescr, RcvFileStatus, RcvFileTransfer,
    StoreError, User, UserContactLink, UserContactRequest, VersionRange, XftpRcvFile,
};
use simplex_api_types::ChatEvent;

use super::frames::{templates, Templates};

/// The bot's world as the test core models it. A test reads it (and may change it) through
/// [`TestCore::world`](super::TestCore::world), and an answer that a test overrides gets it
/// (see [`TestCore::on`](super::TestCore::on)).
///
/// It holds one user (the bot): the contacts, groups, items and files are that user's.
pub struct World {
    pub(super) t: &'static Templates,
    pub(super) user: Option<User>,
    pub(super) address: Option<UserContactLink>,
    pub(super) contacts: Vec<ContactEntry>,
    pub(super) requests: Vec<RequestEntry>,
    pub(super) groups: Vec<GroupEntry>,
    pub(super) items: Vec<ItemEntry>,
    pub(super) files: Vec<FileEntry>,
    pub(super) chat_running: bool,
    pub(super) files_dir: FilesDir,
    /// How the uploads of files the bot sends go.
    pub(super) uploads: Transfer,
    /// Events to send once the current command is answered (or the test's action is done).
    pub(super) outbox: Vec<ChatEvent>,
    ids: Ids,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("user", &self.user.as_ref().map(|u| &u.local_display_name))
            .field("address", &self.address.is_some())
            .field("contacts", &self.contacts.len())
            .field("groups", &self.groups.len())
            .field("items", &self.items.len())
            .field("files", &self.files.len())
            .field("chat_running", &self.chat_running)
            .finish_non_exhaustive()
    }
}

/// A contact the test acts as, under the name the test gave it.
#[derive(Debug)]
pub(super) struct ContactEntry {
    pub(super) name: String,
    pub(super) contact: Contact,
    pub(super) state: ContactState,
    pub(super) inbox: Inbox,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ContactState {
    /// Connected: messages go both ways.
    Connected,
    /// The contact deleted the bot (`contactDeletedByContact`).
    DeletedByContact,
    /// The bot deleted the contact (`/_delete @id full|entity`).
    DeletedByBot,
}

/// A contact request to the bot's address, waiting for `/_accept` or `/_reject`.
#[derive(Debug)]
pub(super) struct RequestEntry {
    pub(super) name: String,
    pub(super) request: UserContactRequest,
    pub(super) outcome: Option<bool>,
}

#[derive(Debug)]
pub(super) struct GroupEntry {
    pub(super) name: String,
    pub(super) info: GroupInfo,
    pub(super) members: Vec<MemberEntry>,
    /// The contact that invited the bot, by name.
    pub(super) inviter: Option<String>,
    pub(super) inbox: Inbox,
    pub(super) deleted: bool,
}

#[derive(Debug)]
pub(super) struct MemberEntry {
    pub(super) name: String,
    pub(super) member: GroupMember,
}

/// The chat an item is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Chat {
    Direct(i64),
    Group(i64),
}

#[derive(Debug)]
pub(super) struct ItemEntry {
    pub(super) chat: Chat,
    pub(super) item: ChatItem,
}

#[derive(Debug)]
pub(super) struct FileEntry {
    pub(super) file_id: i64,
    pub(super) item_id: i64,
    pub(super) name: String,
    /// Where the bot's side has it: the path a sent file was sent from, or where a received
    /// file was written (empty until then).
    pub(super) path: String,
    /// The bytes offered to the bot (received files only).
    pub(super) bytes: Vec<u8>,
    pub(super) incoming: bool,
    pub(super) state: FileState,
    /// How its transfer goes once the bot receives it.
    pub(super) transfer: Transfer,
    /// The key and nonce of a received file stored encrypted (`encrypt=on`).
    pub(super) crypto: Option<simplex_api_types::types::CryptoFileArgs>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum FileState {
    Offered,
    /// Accepted, and the transfer has not ended (a [`Transfer::Stalls`] file).
    Receiving,
    Complete(String),
    Failed,
    Cancelled,
}

/// Writes `bytes` to `path`, encrypted with `crypto` when given.
fn store(
    path: &str,
    bytes: &[u8],
    crypto: Option<&simplex_api_types::types::CryptoFileArgs>,
) -> std::io::Result<()> {
    match crypto {
        None => std::fs::write(path, bytes),
        #[cfg(feature = "crypto-file")]
        Some(args) => {
            let key =
                crate::crypto_file::FileKey::from_args(args).map_err(std::io::Error::other)?;
            crate::crypto_file::write_with_key(path, bytes, &key).map_err(std::io::Error::other)
        }
        #[cfg(not(feature = "crypto-file"))]
        Some(_) => Err(std::io::Error::other(
            "encrypted files need the crypto-file feature",
        )),
    }
}

/// How a file transfer goes in the test core, to test what a bot does when one fails.
///
/// A file a contact offers ([`TestContact::sends_file_with`](super::TestContact::sends_file_with))
/// goes this way once the bot receives it; files the bot sends go the way
/// [`TestCore::set_uploads`](super::TestCore::set_uploads) says. Each outcome comes as the
/// core's events, after its answer to the command.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transfer {
    /// `rcvFileStart` then `rcvFileComplete`, the file written where the bot asked; for a
    /// sent file `sndFileCompleteXFTP`.
    #[default]
    Completes,
    /// `rcvFileStart` then `rcvFileError` (the relay has no such file: `FILE NO_FILE`); for a
    /// sent file `sndFileError`.
    Fails,
    /// Received files: `rcvFileStart` then `rcvFileSndCancelled`, the sender cancelled it.
    /// (Sent files complete.)
    SenderCancels,
    /// `rcvFileStart` and then nothing: the transfer never ends (a sent file: no event).
    Stalls,
    /// Received files: `rcvFileComplete` naming a path where there is no file.
    /// (Sent files complete.)
    Vanishes,
}

/// What the bot sent to one chat, in order, and how far the test has read it.
#[derive(Debug, Default)]
pub(super) struct Inbox {
    pub(super) messages: Vec<ReceivedMessage>,
    pub(super) read: usize,
}

/// A message the bot sent, as the contact (or the group) received it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReceivedMessage {
    /// The chat item id the bot's side gave it.
    pub item_id: i64,
    /// The content, as the bot sent it.
    pub content: MsgContent,
    /// The item it quotes, if any.
    pub quoted_item_id: Option<i64>,
    /// The file sent with it, if any.
    pub file: Option<SentFile>,
}

impl ReceivedMessage {
    /// The text of the content (possibly empty, as for an image without a caption).
    pub fn text(&self) -> Option<&str> {
        self.content.text()
    }
}

/// A file the bot sent with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SentFile {
    /// The file's name, as offered to the recipient.
    pub name: String,
    /// The path the bot gave (`fileSource.filePath`).
    pub path: String,
    /// The file's bytes as they were when the bot sent the message (`None` when it could not
    /// be read; for a file stored encrypted, the encrypted bytes).
    pub bytes: Option<Vec<u8>>,
}

/// Where received files are written when `ReceiveFile` names no path.
#[derive(Debug)]
pub(super) enum FilesDir {
    /// A folder of the test's choice; left in place.
    Given(PathBuf),
    /// A fresh folder under the system's temporary folder, created on first use and removed
    /// with the test core.
    Temporary(Option<PathBuf>),
}

impl FilesDir {
    pub(super) fn path(&mut self) -> std::io::Result<PathBuf> {
        match self {
            FilesDir::Given(p) => Ok(p.clone()),
            FilesDir::Temporary(Some(p)) => Ok(p.clone()),
            FilesDir::Temporary(slot) => {
                static NEXT: AtomicU64 = AtomicU64::new(1);
                let dir = std::env::temp_dir().join(format!(
                    "simplex-test-core-{}-{}",
                    std::process::id(),
                    NEXT.fetch_add(1, Ordering::Relaxed)
                ));
                std::fs::create_dir_all(&dir)?;
                *slot = Some(dir.clone());
                Ok(dir)
            }
        }
    }
}

impl Drop for FilesDir {
    fn drop(&mut self) {
        if let FilesDir::Temporary(Some(dir)) = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

#[derive(Debug)]
struct Ids {
    contact: i64,
    profile: i64,
    conn: i64,
    group: i64,
    member: i64,
    item: i64,
    file: i64,
    request: i64,
}

impl Ids {
    fn take(slot: &mut i64) -> i64 {
        let id = *slot;
        *slot += 1;
        id
    }
}

/// The current time as the core writes it (`2025-05-03T08:58:57.328305Z`).
pub(super) fn now() -> UtcTime {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = since.as_secs();
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    let text = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        since.subsec_micros()
    );
    // `UtcTime` is a `String`, or a chrono time with the `chrono` feature of the types crate.
    text.parse().unwrap_or_default()
}

/// The date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Base64 (standard alphabet, padded) of `bytes`: the form of the core's agent and member ids.
pub(super) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A 16-character id in the form of the core's random 12-byte ids, made from `kind` and `n`.
fn opaque_id(kind: &str, n: i64) -> String {
    base64(format!("{kind}{n:0>width$}", width = 12 - kind.len().min(12)).as_bytes())
}

/// The `Profile` of a stored profile.
pub(super) fn profile_of(p: &LocalProfile) -> Profile {
    let mut out = Profile::default();
    out.display_name = p.display_name.clone();
    out.full_name = p.full_name.clone();
    out.short_descr = p.short_descr.clone();
    out.description = p.description.clone();
    out.image = p.image.clone();
    out.contact_link = p.contact_link.clone();
    out.preferences = p.preferences.clone();
    out.peer_type = p.peer_type.clone();
    out.contact_domain = p.contact_domain.clone();
    out
}

/// `p` stored as `base` (its id, local alias and badge kept).
pub(super) fn local_profile(base: &LocalProfile, p: &Profile) -> LocalProfile {
    let mut out = base.clone();
    out.display_name = p.display_name.clone();
    out.full_name = p.full_name.clone();
    out.short_descr = p.short_descr.clone();
    out.description = p.description.clone();
    out.image = p.image.clone();
    out.contact_link = p.contact_link.clone();
    out.preferences = p.preferences.clone();
    out.peer_type = p.peer_type.clone();
    out.contact_domain = p.contact_domain.clone();
    out
}

/// The order of roles, lowest first.
pub(super) fn role_rank(role: &GroupMemberRole) -> usize {
    match role {
        GroupMemberRole::Relay => 0,
        GroupMemberRole::Observer => 1,
        GroupMemberRole::Author => 2,
        GroupMemberRole::Member => 3,
        GroupMemberRole::Moderator => 4,
        GroupMemberRole::Admin => 5,
        GroupMemberRole::Owner => 6,
        _ => 0,
    }
}

/// Whether a member with this status takes part in the group.
pub(super) fn is_active(status: &GroupMemberStatus) -> bool {
    matches!(
        status,
        GroupMemberStatus::Connected
            | GroupMemberStatus::Complete
            | GroupMemberStatus::Creator
            | GroupMemberStatus::Announced
    )
}

impl World {
    /// A world with the bot user named `bot_name` (or no user), the chat running or not.
    pub(super) fn new(bot_name: Option<&str>, chat_running: bool, files_dir: FilesDir) -> World {
        let t = templates();
        let mut world = World {
            t,
            user: None,
            address: None,
            contacts: Vec::new(),
            requests: Vec::new(),
            groups: Vec::new(),
            items: Vec::new(),
            files: Vec::new(),
            chat_running,
            files_dir,
            uploads: Transfer::Completes,
            outbox: Vec::new(),
            ids: Ids {
                // Contact 1 is the user's own.
                contact: 2,
                profile: 2,
                conn: 1,
                group: 1,
                member: 1,
                item: 1,
                file: 1,
                request: 1,
            },
        };
        if let Some(name) = bot_name {
            let mut profile = profile_of(&t.user.profile);
            profile.display_name = name.to_owned();
            world.user = Some(world.new_user(&profile, false));
        }
        world
    }

    /// The user record for a new user with `profile` (from the captured bot user).
    pub(super) fn new_user(&self, profile: &Profile, chat_relay: bool) -> User {
        let mut user = self.t.user.clone();
        user.user_id = 1;
        user.agent_user_id = 1;
        user.user_contact_id = 1;
        user.local_display_name = profile.display_name.clone();
        let mut lp = local_profile(&user.profile, profile);
        lp.profile_id = 1;
        lp.local_alias = String::new();
        user.profile = Box::new(lp);
        user.active_user = true;
        user.active_order = 1;
        user.user_chat_relay = chat_relay;
        merge_preferences(&mut user);
        user
    }

    /// The bot's user, if it has one.
    pub fn user(&self) -> Option<&User> {
        self.user.as_ref()
    }

    /// The bot's user, to change what later answers say about it.
    pub fn user_mut(&mut self) -> Option<&mut User> {
        self.user.as_mut()
    }

    /// The bot's profile, if it has a user.
    pub fn profile(&self) -> Option<Profile> {
        self.user.as_ref().map(|u| profile_of(&u.profile))
    }

    /// The bot's address, if it created one.
    pub fn address(&self) -> Option<&UserContactLink> {
        self.address.as_ref()
    }

    /// The bot's address, to change what later answers say about it.
    pub fn address_mut(&mut self) -> Option<&mut UserContactLink> {
        self.address.as_mut()
    }

    /// The bot's contacts (not those deleted by the bot), in the order they connected.
    pub fn contacts(&self) -> impl Iterator<Item = &Contact> {
        self.contacts
            .iter()
            .filter(|c| c.state != ContactState::DeletedByBot)
            .map(|c| &c.contact)
    }

    /// The contact with this id.
    pub fn contact(&self, contact_id: i64) -> Option<&Contact> {
        self.contact_entry(contact_id).map(|c| &c.contact)
    }

    /// The groups the bot is in or was invited to, in the order they appeared.
    pub fn groups(&self) -> impl Iterator<Item = &GroupInfo> {
        self.groups.iter().filter(|g| !g.deleted).map(|g| &g.info)
    }

    /// The group with this id.
    pub fn group(&self, group_id: i64) -> Option<&GroupInfo> {
        self.group_entry(group_id).map(|g| &g.info)
    }

    /// The members of a group (other than the bot).
    pub fn members(&self, group_id: i64) -> Vec<&GroupMember> {
        self.group_entry(group_id)
            .map(|g| g.members.iter().map(|m| &m.member).collect())
            .unwrap_or_default()
    }

    /// The chat item with this id, with its chat, as the bot would see it now.
    pub fn chat_item(&self, item_id: i64) -> Option<AChatItem> {
        let entry = self.items.iter().find(|i| i.item.meta.item_id == item_id)?;
        Some(self.a_chat_item(entry.chat, entry.item.clone()))
    }

    /// Whether the chat is running (`/_start`ed and not `/_stop`ped).
    pub fn is_chat_running(&self) -> bool {
        self.chat_running
    }

    /// Queues an event to send to the bot once the current answer (or the test's action) is
    /// sent.
    pub fn push_event(&mut self, event: impl Into<ChatEvent>) {
        self.outbox.push(event.into());
    }

    /// The error answer `chatCmdError` with this error, built from the real frame.
    pub fn error(&self, error_type: impl Into<ChatErrorType>) -> ChatCmdError {
        let mut error = chat_error::Error::default();
        error.error_type = error_type.into();
        self.chat_error(ChatError::from(error))
    }

    /// The error answer `chatCmdError` with this store error (`{"type":"errorStore",...}`).
    pub fn store_error(&self, store_error: impl Into<StoreError>) -> ChatCmdError {
        let mut error = chat_error::ErrorStore::default();
        error.store_error = store_error.into();
        self.chat_error(ChatError::from(error))
    }

    /// The error answer `chatCmdError` with `chat_error`.
    pub fn chat_error(&self, chat_error: ChatError) -> ChatCmdError {
        let mut r = self.t.no_active_user.clone();
        r.chat_error = chat_error;
        r
    }

    // --- records ---------------------------------------------------------------------------

    pub(super) fn contact_entry(&self, contact_id: i64) -> Option<&ContactEntry> {
        self.contacts
            .iter()
            .find(|c| c.contact.contact_id == contact_id)
    }

    pub(super) fn contact_entry_mut(&mut self, contact_id: i64) -> Option<&mut ContactEntry> {
        self.contacts
            .iter_mut()
            .find(|c| c.contact.contact_id == contact_id)
    }

    pub(super) fn contact_named(&self, name: &str) -> Option<&ContactEntry> {
        self.contacts.iter().rev().find(|c| c.name == name)
    }

    pub(super) fn group_entry(&self, group_id: i64) -> Option<&GroupEntry> {
        self.groups
            .iter()
            .find(|g| g.info.group_id == group_id && !g.deleted)
    }

    pub(super) fn group_entry_mut(&mut self, group_id: i64) -> Option<&mut GroupEntry> {
        self.groups
            .iter_mut()
            .find(|g| g.info.group_id == group_id && !g.deleted)
    }

    pub(super) fn group_named(&self, name: &str) -> Option<&GroupEntry> {
        self.groups
            .iter()
            .rev()
            .find(|g| g.name == name && !g.deleted)
    }

    /// A new contact named `name`, connected now (from the captured contact).
    pub(super) fn new_contact(&mut self, name: &str) -> Contact {
        let time = now();
        let mut c = self.t.contact.clone();
        c.contact_id = Ids::take(&mut self.ids.contact);
        c.local_display_name = name.to_owned();
        let mut p = (*c.profile).clone();
        p.profile_id = Ids::take(&mut self.ids.profile);
        p.display_name = name.to_owned();
        p.full_name = String::new();
        p.short_descr = None;
        p.description = None;
        p.image = None;
        p.contact_link = None;
        p.peer_type = None;
        p.local_alias = String::new();
        c.profile = Box::new(p);
        let via_address = self.address.as_ref().map(|a| a.user_contact_link_id);
        if let Some(conn) = c.active_conn.as_mut() {
            conn.conn_id = Ids::take(&mut self.ids.conn);
            conn.agent_conn_id = opaque_id("conn", conn.conn_id);
            conn.entity_id = Some(c.contact_id);
            conn.via_user_contact_link = via_address;
            conn.created_at = time.clone();
        }
        c.contact_status = ContactStatus::Active;
        c.created_at = time.clone();
        c.updated_at = time.clone();
        c.chat_ts = Some(time);
        c.contact_request_id = None;
        c.contact_request = None;
        c.chat_deleted = false;
        c.custom_data = None;
        c
    }

    /// A contact request from `name` to the bot's address.
    pub(super) fn new_request(&mut self, name: &str) -> UserContactRequest {
        let time = now();
        let mut r = UserContactRequest::default();
        r.contact_request_id = Ids::take(&mut self.ids.request);
        r.agent_invitation_id = opaque_id("inv", r.contact_request_id);
        r.user_contact_link_id_ = self.address.as_ref().map(|a| a.user_contact_link_id);
        r.c_req_chat_v_range = version_range();
        r.local_display_name = name.to_owned();
        let mut p = (*self.t.contact.profile).clone();
        p.profile_id = Ids::take(&mut self.ids.profile);
        p.display_name = name.to_owned();
        p.full_name = String::new();
        p.contact_link = None;
        p.local_alias = String::new();
        r.profile_id = p.profile_id;
        r.profile = Box::new(p);
        r.created_at = time.clone();
        r.updated_at = time;
        r.pq_support = true;
        r.rejection_supported = true;
        r
    }

    /// A new group named `name` (from the captured group) with the bot's membership in it.
    pub(super) fn new_group(
        &mut self,
        name: &str,
        role: GroupMemberRole,
        status: GroupMemberStatus,
    ) -> GroupInfo {
        let time = now();
        let mut g = self.t.group.clone();
        g.group_id = Ids::take(&mut self.ids.group);
        g.local_display_name = name.to_owned();
        g.group_profile.display_name = name.to_owned();
        g.group_profile.full_name = String::new();
        let mut m = self.t.member.clone();
        m.group_member_id = Ids::take(&mut self.ids.member);
        m.group_id = g.group_id;
        m.index_in_group = 0;
        m.member_id = opaque_id("mem", m.group_member_id);
        m.member_role = role;
        m.member_category = GroupMemberCategory::User;
        m.member_status = status;
        m.invited_by = InvitedBy::User;
        m.invited_by_group_member_id = None;
        if let Some(user) = &self.user {
            m.local_display_name = user.local_display_name.clone();
            m.member_profile = user.profile.clone();
            m.member_contact_id = Some(user.user_contact_id);
            m.member_contact_profile_id = user.profile.profile_id;
        }
        m.created_at = time.clone();
        m.updated_at = time.clone();
        g.membership = Box::new(m);
        g.created_at = time.clone();
        g.updated_at = time.clone();
        g.chat_ts = Some(time.clone());
        g.user_member_profile_sent_at = Some(time);
        g.group_summary.current_members = 1;
        g.custom_data = None;
        g
    }

    /// A new member of `group` for the contact (or stranger) `name`.
    pub(super) fn new_member(
        &mut self,
        group: &GroupInfo,
        name: &str,
        contact: Option<&Contact>,
        role: GroupMemberRole,
        category: GroupMemberCategory,
        index: i64,
    ) -> GroupMember {
        let time = now();
        let mut m = self.t.member.clone();
        m.group_member_id = Ids::take(&mut self.ids.member);
        m.group_id = group.group_id;
        m.index_in_group = index;
        m.member_id = opaque_id("mem", m.group_member_id);
        m.member_role = role;
        m.member_category = category;
        m.member_status = GroupMemberStatus::Connected;
        m.invited_by = InvitedBy::Unknown;
        m.invited_by_group_member_id = None;
        m.local_display_name = name.to_owned();
        match contact {
            Some(c) => {
                m.member_profile = c.profile.clone();
                m.member_contact_id = Some(c.contact_id);
                m.member_contact_profile_id = c.profile.profile_id;
            }
            None => {
                let mut p = (*self.t.contact.profile).clone();
                p.profile_id = Ids::take(&mut self.ids.profile);
                p.display_name = name.to_owned();
                p.full_name = String::new();
                p.contact_link = None;
                p.local_alias = String::new();
                m.member_contact_profile_id = p.profile_id;
                m.member_profile = Box::new(p);
                m.member_contact_id = None;
            }
        }
        m.created_at = time.clone();
        m.updated_at = time;
        m
    }

    /// The chat of an item, as `chatInfo`.
    pub(super) fn chat_info(&self, chat: Chat) -> ChatInfo {
        match chat {
            Chat::Direct(id) => {
                let mut d = chat_info::Direct::default();
                d.contact = Box::new(
                    self.contact_entry(id)
                        .map(|c| c.contact.clone())
                        .unwrap_or_else(|| self.t.contact.clone()),
                );
                ChatInfo::from(d)
            }
            Chat::Group(id) => {
                let mut g = chat_info::Group::default();
                g.group_info = Box::new(
                    self.groups
                        .iter()
                        .find(|g| g.info.group_id == id)
                        .map(|g| g.info.clone())
                        .unwrap_or_else(|| self.t.group.clone()),
                );
                ChatInfo::from(g)
            }
        }
    }

    pub(super) fn a_chat_item(&self, chat: Chat, item: ChatItem) -> AChatItem {
        let mut a = AChatItem::default();
        a.chat_info = self.chat_info(chat);
        a.chat_item = Box::new(item);
        a
    }

    /// A new chat item (from the captured one) with the next id, stored in `chat`.
    pub(super) fn new_item(
        &mut self,
        chat: Chat,
        chat_dir: CiDirection,
        content: CiContent,
        text: String,
        file: Option<CiFile>,
    ) -> ChatItem {
        let time = now();
        let sent = matches!(chat_dir, CiDirection::DirectSnd | CiDirection::GroupSnd);
        let mut item = self.t.item.clone();
        item.chat_dir = chat_dir;
        let meta = &mut item.meta;
        meta.item_id = Ids::take(&mut self.ids.item);
        meta.item_ts = time.clone();
        meta.item_text = text;
        meta.item_status = if sent {
            CiStatus::SndNew
        } else {
            CiStatus::RcvNew
        };
        meta.item_shared_msg_id = Some(opaque_id("msg", meta.item_id));
        meta.item_edited = false;
        meta.item_deleted = None;
        meta.user_mention = false;
        meta.deletable = true;
        meta.editable = sent;
        meta.created_at = time.clone();
        meta.updated_at = time;
        item.content = content;
        item.mentions.clear();
        item.reactions.clear();
        item.quoted_item = None;
        item.file = file.map(Box::new);
        self.items.push(ItemEntry {
            chat,
            item: item.clone(),
        });
        item
    }

    pub(super) fn item_mut(&mut self, item_id: i64) -> Option<&mut ItemEntry> {
        self.items
            .iter_mut()
            .find(|i| i.item.meta.item_id == item_id)
    }

    pub(super) fn next_file_id(&mut self) -> i64 {
        Ids::take(&mut self.ids.file)
    }

    /// The bot's user, for an event the test makes happen; an event needs one.
    pub(super) fn event_user(&self) -> Box<User> {
        match &self.user {
            Some(u) => Box::new(u.clone()),
            None => panic!(
                "the test core has no user yet: the bot must create one (CreateActiveUser), \
                 or start the test core with one"
            ),
        }
    }

    // --- what the other side does ----------------------------------------------------------

    /// Makes sure contact `name` is connected. `Err` with the request id when the contact
    /// waits for the bot to accept its request.
    pub(super) fn connect_contact(&mut self, name: &str) -> Result<i64, ConnectState> {
        if let Some(c) = self.contact_named(name) {
            if c.state == ContactState::Connected {
                return Ok(c.contact.contact_id);
            }
        }
        if let Some(r) = self.requests.iter().rev().find(|r| r.name == name) {
            match r.outcome {
                None => return Err(ConnectState::Waiting),
                Some(false) => return Err(ConnectState::Rejected),
                // Accepted: the contact is connected (found above) unless it was deleted
                // since; then it connects again.
                Some(true) => {}
            }
        }
        let user = self.event_user();
        let auto_accept = self
            .address
            .as_ref()
            .is_none_or(|a| a.address_settings.auto_accept.is_some());
        if !auto_accept {
            let request = self.new_request(name);
            let mut e = events::ReceivedContactRequest::default();
            e.user = user;
            e.contact_request = Box::new(request.clone());
            self.push_event(e);
            self.requests.push(RequestEntry {
                name: name.to_owned(),
                request,
                outcome: None,
            });
            return Err(ConnectState::Waiting);
        }
        Ok(self.connected(name, None))
    }

    /// Whether contact `name`, whose request was sent, can send now.
    pub(super) fn connect_state(&self, name: &str) -> Result<i64, ConnectState> {
        if let Some(c) = self.contact_named(name) {
            if c.state == ContactState::Connected {
                return Ok(c.contact.contact_id);
            }
        }
        match self.requests.iter().rev().find(|r| r.name == name) {
            Some(RequestEntry {
                outcome: Some(false),
                ..
            }) => Err(ConnectState::Rejected),
            _ => Err(ConnectState::Waiting),
        }
    }

    /// Adds the connected contact `name` and queues `contactConnected` and the item the core
    /// adds to a new chat.
    pub(super) fn connected(&mut self, name: &str, accepted: Option<&mut Contact>) -> i64 {
        let contact = self.new_contact(name);
        let id = contact.contact_id;
        if let Some(slot) = accepted {
            *slot = contact.clone();
        }
        self.contacts.push(ContactEntry {
            name: name.to_owned(),
            contact: contact.clone(),
            state: ContactState::Connected,
            inbox: Inbox::default(),
        });
        let mut e = events::ContactConnected::default();
        e.user = self.response_user();
        e.contact = Box::new(contact);
        self.push_event(e);
        // The core adds the chat's end-to-end encryption notice as an item.
        let mut info = E2eInfo::default();
        info.pq_enabled = Some(true);
        let mut content = ci_content::RcvDirectE2eeInfo::default();
        content.e2ee_info = info;
        let item = self.new_item(
            Chat::Direct(id),
            CiDirection::DirectRcv,
            CiContent::from(content),
            "quantum resistant end-to-end encryption".to_owned(),
            None,
        );
        self.push_new_items(Chat::Direct(id), vec![item]);
        id
    }

    /// Queues a `newChatItems` event (from the real frame) with `items` of `chat`.
    pub(super) fn push_new_items(&mut self, chat: Chat, items: Vec<ChatItem>) {
        let mut e = self.t.new_chat_items.clone();
        e.user = self.response_user();
        e.chat_items = items
            .into_iter()
            .map(|i| self.a_chat_item(chat, i))
            .collect();
        self.push_event(e);
    }

    /// A received item in `chat` from `dir` with `content` (and a file offered with it), and
    /// its events; returns the item id.
    pub(super) fn receive(
        &mut self,
        chat: Chat,
        dir: CiDirection,
        content: MsgContent,
        file: Option<(String, Vec<u8>)>,
        sender_name: &str,
    ) -> (i64, Option<i64>) {
        let text = content.text().unwrap_or_default().to_owned();
        let file_record = file.map(|(name, bytes)| {
            let file_id = self.next_file_id();
            let mut f = CiFile::default();
            f.file_id = file_id;
            f.file_name = name.clone();
            f.file_size = bytes.len() as i64;
            f.file_status = CiFileStatus::RcvInvitation;
            f.file_protocol = FileProtocol::Xftp;
            (f, name, bytes)
        });
        let mut rcv = ci_content::RcvMsgContent::default();
        rcv.msg_content = content;
        let item_text = match (&file_record, text.is_empty()) {
            (Some((_, name, _)), true) => name.clone(),
            _ => text,
        };
        let item = self.new_item(
            chat,
            dir,
            CiContent::from(rcv),
            item_text,
            file_record.as_ref().map(|(f, _, _)| f.clone()),
        );
        let item_id = item.meta.item_id;
        self.push_new_items(chat, vec![item.clone()]);
        let file_id = file_record.map(|(f, name, bytes)| {
            self.files.push(FileEntry {
                file_id: f.file_id,
                item_id,
                name,
                path: String::new(),
                bytes,
                incoming: true,
                state: FileState::Offered,
                transfer: Transfer::Completes,
                crypto: None,
            });
            // The file's description arrives after the message.
            let mut e = events::RcvFileDescrReady::default();
            e.user = self.response_user();
            e.chat_item = self.a_chat_item(chat, item.clone());
            e.rcv_file_transfer = Box::new(self.rcv_file_transfer(f.file_id, sender_name));
            e.rcv_file_descr = file_descr(f.file_id);
            self.push_event(e);
            f.file_id
        });
        (item_id, file_id)
    }

    /// The transfer record of received file `file_id`, in its current state.
    pub(super) fn rcv_file_transfer(&self, file_id: i64, sender: &str) -> RcvFileTransfer {
        let mut t = RcvFileTransfer::default();
        t.file_id = file_id;
        let Some(f) = self.files.iter().find(|f| f.file_id == file_id) else {
            return t;
        };
        let mut xftp = XftpRcvFile::default();
        xftp.rcv_file_description = file_descr(file_id);
        xftp.agent_rcv_file_deleted = false;
        xftp.user_approved_relays = false;
        t.xftp_rcv_file = Some(xftp);
        let mut inv = FileInvitation::default();
        inv.file_name = f.name.clone();
        inv.file_size = f.bytes.len() as i64;
        t.file_invitation = Box::new(inv);
        t.file_status = match &f.state {
            FileState::Offered => RcvFileStatus::New,
            FileState::Receiving | FileState::Failed => {
                let mut s = simplex_api_types::types::rcv_file_status::Connected::default();
                s.file_path = f.path.clone();
                RcvFileStatus::from(s)
            }
            FileState::Complete(path) => {
                let mut s = simplex_api_types::types::rcv_file_status::Complete::default();
                s.file_path = path.clone();
                RcvFileStatus::from(s)
            }
            FileState::Cancelled => {
                RcvFileStatus::from(simplex_api_types::types::rcv_file_status::Cancelled::default())
            }
        };
        t.file_type = FileType::Normal;
        t.sender_display_name = sender.to_owned();
        t.chunk_size = 15_780;
        t.cancelled = f.state == FileState::Cancelled;
        t
    }

    /// Sets how the transfer of file `file_id` goes.
    pub(super) fn set_transfer(&mut self, file_id: i64, transfer: Transfer) {
        if let Some(f) = self.files.iter_mut().find(|f| f.file_id == file_id) {
            f.transfer = transfer;
        }
    }

    /// Writes accepted file `file_id` where the bot asked and sends `rcvFileComplete`.
    pub(super) fn complete_file(&mut self, file_id: i64) -> bool {
        let Some(f) = self
            .files
            .iter()
            .find(|f| f.file_id == file_id && f.incoming)
        else {
            return false;
        };
        if f.path.is_empty() {
            return false;
        }
        let (path, item_id) = (f.path.clone(), f.item_id);
        if let Err(e) = store(&path, &f.bytes, f.crypto.as_ref()) {
            tracing::warn!("the test core cannot write file {file_id} to {path}: {e}");
        }
        let Some(chat) = self.item_mut(item_id).map(|i| i.chat) else {
            return false;
        };
        if let Some(f) = self.files.iter_mut().find(|f| f.file_id == file_id) {
            f.state = FileState::Complete(path.clone());
        }
        self.set_file_status(item_id, CiFileStatus::RcvComplete, Some(&path));
        let mut done = events::RcvFileComplete::default();
        done.user = self.response_user();
        done.chat_item = self
            .chat_item(item_id)
            .unwrap_or_else(|| self.a_chat_item(chat, Default::default()));
        self.push_event(done);
        true
    }

    /// Stores file `file_id`'s bytes at its path again (encrypted with its key, when it has
    /// one): what [`write_file`](Self::write_file) wrote, after `encrypt_file`.
    #[cfg(feature = "crypto-file")]
    pub(super) fn encrypt_file(&mut self, file_id: i64) -> std::io::Result<()> {
        let Some(f) = self.files.iter_mut().find(|f| f.file_id == file_id) else {
            return Err(std::io::Error::other("no such file"));
        };
        let key = crate::crypto_file::write(&f.path, &f.bytes).map_err(std::io::Error::other)?;
        f.crypto = Some(key.to_args());
        Ok(())
    }

    /// Contact `name` deletes the bot: `contactDeletedByContact`.
    pub(super) fn contact_deletes(&mut self, name: &str) -> bool {
        let user = self.event_user();
        let Some(entry) = self
            .contacts
            .iter_mut()
            .rev()
            .find(|c| c.name == name && c.state == ContactState::Connected)
        else {
            return false;
        };
        entry.state = ContactState::DeletedByContact;
        entry.contact.contact_status = ContactStatus::Deleted;
        entry.contact.updated_at = now();
        let mut e = events::ContactDeletedByContact::default();
        e.user = user;
        e.contact = Box::new(entry.contact.clone());
        self.push_event(e);
        true
    }

    /// Contact `inviter` invites the bot to group `name` with `role`:
    /// `receivedGroupInvitation` (from the real frame). Returns the group id.
    pub(super) fn invite(&mut self, name: &str, inviter: &str, role: GroupMemberRole) -> i64 {
        let contact_id = match self.connect_contact(inviter) {
            Ok(id) => id,
            Err(state) => panic!("{inviter} cannot invite the bot to {name}: {state}"),
        };
        let contact = self
            .contact_entry(contact_id)
            .map(|c| c.contact.clone())
            .unwrap_or_default();
        let mut info = self.new_group(name, role.clone(), GroupMemberStatus::Invited);
        let host = self.new_member(
            &info,
            inviter,
            Some(&contact),
            GroupMemberRole::Owner,
            GroupMemberCategory::Host,
            0,
        );
        info.membership.index_in_group = 1;
        info.membership.invited_by = {
            let mut by = invited_by::Contact::default();
            by.by_contact_id = contact_id;
            InvitedBy::from(by)
        };
        info.membership.invited_by_group_member_id = Some(host.group_member_id);
        info.group_summary.current_members = 2;
        let group_id = info.group_id;
        let mut e = self.t.group_invitation.clone();
        e.user = self.event_user();
        e.group_info = Box::new(info.clone());
        e.contact = Box::new(contact);
        e.from_member_role = GroupMemberRole::Owner;
        e.member_role = role;
        self.push_event(e);
        self.groups.push(GroupEntry {
            name: name.to_owned(),
            info,
            members: vec![MemberEntry {
                name: inviter.to_owned(),
                member: host,
            }],
            inviter: Some(inviter.to_owned()),
            inbox: Inbox::default(),
            deleted: false,
        });
        group_id
    }

    /// Group `name` with the bot as a connected member, made without any event (as if the bot
    /// had joined before the test). Returns the group id.
    pub(super) fn group_with_bot(&mut self, name: &str) -> i64 {
        if let Some(g) = self.group_named(name) {
            return g.info.group_id;
        }
        self.event_user();
        let info = self.new_group(name, GroupMemberRole::Member, GroupMemberStatus::Connected);
        let id = info.group_id;
        self.groups.push(GroupEntry {
            name: name.to_owned(),
            info,
            members: Vec::new(),
            inviter: None,
            inbox: Inbox::default(),
            deleted: false,
        });
        id
    }

    /// Member `member` of group `group_id` (joining it first, with `joinedGroupMember`, if it
    /// has not). Returns its group member id.
    pub(super) fn member(&mut self, group_id: i64, member: &str) -> i64 {
        let Some(g) = self.group_entry(group_id) else {
            panic!("no group {group_id}");
        };
        if !is_active(&g.info.membership.member_status) {
            panic!(
                "the bot is not a member of group {}: its membership is {}",
                g.name,
                g.info.membership.member_status.as_str().unwrap_or("?")
            );
        }
        if let Some(m) = g
            .members
            .iter()
            .find(|m| m.name == member && is_active(&m.member.member_status))
        {
            return m.member.group_member_id;
        }
        let info = g.info.clone();
        let index = g.members.len() as i64 + 2;
        let contact = self.contact_named(member).map(|c| c.contact.clone());
        let mut m = self.new_member(
            &info,
            member,
            contact.as_ref(),
            GroupMemberRole::Member,
            GroupMemberCategory::Post,
            index,
        );
        m.invited_by = InvitedBy::Unknown;
        let id = m.group_member_id;
        let user = self.event_user();
        let Some(g) = self.group_entry_mut(group_id) else {
            return id;
        };
        g.info.group_summary.current_members += 1;
        g.members.push(MemberEntry {
            name: member.to_owned(),
            member: m.clone(),
        });
        let mut e = events::JoinedGroupMember::default();
        e.user = user;
        e.group_info = Box::new(g.info.clone());
        e.member = Box::new(m);
        self.push_event(e);
        id
    }

    /// Member `group_member_id` leaves group `group_id`: `leftMember`.
    pub(super) fn member_leaves(&mut self, group_id: i64, group_member_id: i64) {
        let user = self.event_user();
        let Some(g) = self.group_entry_mut(group_id) else {
            return;
        };
        let Some(m) = g
            .members
            .iter_mut()
            .find(|m| m.member.group_member_id == group_member_id)
        else {
            return;
        };
        m.member.member_status = GroupMemberStatus::Left;
        m.member.updated_at = now();
        let member = m.member.clone();
        g.info.group_summary.current_members -= 1;
        let mut e = events::LeftMember::default();
        e.user = user;
        e.group_info = Box::new(g.info.clone());
        e.member = Box::new(member);
        self.push_event(e);
    }

    /// The member record of `group_member_id` in `group_id`, for `chatDir`.
    pub(super) fn member_record(&self, group_id: i64, group_member_id: i64) -> GroupMember {
        self.group_entry(group_id)
            .and_then(|g| {
                g.members
                    .iter()
                    .find(|m| m.member.group_member_id == group_member_id)
            })
            .map(|m| m.member.clone())
            .unwrap_or_default()
    }

    /// The direction of an item that member `group_member_id` sent.
    pub(super) fn sent_by_member(&self, group_id: i64, group_member_id: i64) -> CiDirection {
        let mut d = ci_direction::GroupRcv::default();
        d.group_member = Box::new(self.member_record(group_id, group_member_id));
        CiDirection::from(d)
    }

    /// Writes received file `file_id` to `path` (or into the files folder), returning the
    /// path written.
    pub(super) fn write_file(
        &mut self,
        file_id: i64,
        path: Option<&str>,
    ) -> std::io::Result<String> {
        let Some(index) = self.files.iter().position(|f| f.file_id == file_id) else {
            return Err(std::io::Error::other("no such file"));
        };
        let name = self.files[index].name.clone();
        let target = match path {
            Some(p) if Path::new(p).is_dir() => unique_in(Path::new(p), &name),
            Some(p) => PathBuf::from(p),
            None => unique_in(&self.files_dir.path()?, &name),
        };
        std::fs::write(&target, &self.files[index].bytes)?;
        Ok(target.to_string_lossy().into_owned())
    }

    /// The status of a file item, as the item says.
    pub(super) fn set_file_status(
        &mut self,
        item_id: i64,
        status: CiFileStatus,
        path: Option<&str>,
    ) {
        if let Some(entry) = self.item_mut(item_id) {
            if let Some(file) = entry.item.file.as_mut() {
                file.file_status = status;
                if let Some(p) = path {
                    let mut source = simplex_api_types::types::CryptoFile::default();
                    source.file_path = p.to_owned();
                    let file_id = file.file_id;
                    source.crypto_args = self
                        .files
                        .iter()
                        .find(|f| f.file_id == file_id)
                        .and_then(|f| f.crypto.clone());
                    if let Some(entry) = self.item_mut(item_id) {
                        if let Some(file) = entry.item.file.as_mut() {
                            file.file_source = Some(source);
                        }
                    }
                }
            }
        }
    }
}

/// Why a contact cannot send yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ConnectState {
    /// Its contact request waits for the bot.
    Waiting,
    /// The bot rejected its request.
    Rejected,
}

impl std::fmt::Display for ConnectState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ConnectState::Waiting => "its contact request is not accepted",
            ConnectState::Rejected => "the bot rejected its contact request",
        })
    }
}

/// `dir/name`, or `dir/name_1.ext`, ... when that exists (as the core names received files).
fn unique_in(dir: &Path, name: &str) -> PathBuf {
    let name = Path::new(name)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "file".to_owned());
    let first = dir.join(&name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_owned(), format!(".{e}")),
        _ => (name.clone(), String::new()),
    };
    (1..)
        .map(|n| dir.join(format!("{stem}_{n}{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

fn version_range() -> VersionRange {
    let mut v = VersionRange::default();
    v.min_version = 1;
    v.max_version = 16;
    v
}

/// A file description as XFTP sends it (its text is a stand-in of the real YAML).
fn file_descr(file_id: i64) -> RcvFileDescr {
    let mut d = RcvFileDescr::default();
    d.file_descr_id = file_id;
    d.file_descr_text = format!("# file description of file {file_id} (test core)\n");
    d.file_descr_part_no = 0;
    d.file_descr_complete = true;
    d
}

/// `fullPreferences` take what the profile's preferences set.
pub(super) fn merge_preferences(user: &mut User) {
    let Some(p) = user.profile.preferences.as_deref() else {
        return;
    };
    let full = &mut user.full_preferences;
    if let Some(x) = &p.timed_messages {
        full.timed_messages = x.clone();
    }
    if let Some(x) = &p.full_delete {
        full.full_delete = x.clone();
    }
    if let Some(x) = &p.reactions {
        full.reactions = x.clone();
    }
    if let Some(x) = &p.voice {
        full.voice = x.clone();
    }
    if let Some(x) = &p.files {
        full.files = x.clone();
    }
    if let Some(x) = &p.calls {
        full.calls = x.clone();
    }
    if let Some(x) = &p.sessions {
        full.sessions = x.clone();
    }
    if let Some(x) = &p.commands {
        full.commands = x.clone();
    }
}

/// The chat a command names, as the model stores it.
pub(super) fn chat_of(r: &ChatRef) -> Option<Chat> {
    match r.chat_type {
        ChatType::Direct => Some(Chat::Direct(r.chat_id)),
        ChatType::Group => Some(Chat::Group(r.chat_id)),
        _ => None,
    }
}

/// The status of a file being received.
pub(super) fn rcv_transfer(size: i64) -> CiFileStatus {
    let mut s = ci_file_status::RcvTransfer::default();
    s.rcv_progress = 0;
    s.rcv_total = size;
    CiFileStatus::from(s)
}

/// Responses built from a real frame where one exists.
impl World {
    pub(super) fn response_user(&self) -> Box<User> {
        Box::new(self.user.clone().unwrap_or_default())
    }

    pub(super) fn active_user_response(&self) -> responses::ActiveUser {
        let mut r = self.t.active_user.clone();
        r.user = self.response_user();
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_000), (2022, 1, 8));
        assert_eq!(civil_from_days(20_211), (2025, 5, 3));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn base64_as_the_core_writes_ids() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(opaque_id("conn", 2).len(), 16);
    }

    #[test]
    fn received_files_get_names_that_are_free() {
        let dir = std::env::temp_dir().join(format!("simplex-unique-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder");
        assert_eq!(unique_in(&dir, "a.txt"), dir.join("a.txt"));
        std::fs::write(dir.join("a.txt"), b"x").expect("write");
        assert_eq!(unique_in(&dir, "a.txt"), dir.join("a_1.txt"));
        assert_eq!(unique_in(&dir, "../x"), dir.join("x"));
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
