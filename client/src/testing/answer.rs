//! How the model answers each documented command: the response, from a real frame where one
//! exists, and the events that follow it (queued in the world's outbox).

use simplex_api_types::commands::*;
use simplex_api_types::responses::{self, ChatCmdError};
use simplex_api_types::types::{
    agent_error_type, chat_error_type, ci_content, ci_deleted, ci_file_status, store_error,
    AChatItem, AciReaction, AddressSettings, ChatDeleteMode, ChatErrorType, ChatItemDeletion,
    ChatType, CiContent, CiDeleteMode, CiDeleted, CiDirection, CiFile, CiFileStatus, CiQuote,
    CiReaction, CiReactionCount, CryptoFile, FileProtocol, FileTransferMeta, Group,
    GroupMemberCategory, GroupMemberRole, GroupMemberStatus, MsgContent, Profile, StoreError,
    UserInfo, UserProfileUpdateSummary,
};
use simplex_api_types::{events, AnyCommand, ChatResponse};

use super::world::{
    chat_of, is_active, local_profile, merge_preferences, now, profile_of, rcv_transfer, role_rank,
    Chat, ContactState, FileEntry, FileState, GroupEntry, Inbox, MemberEntry, ReceivedMessage,
    SentFile, Transfer, World,
};

/// The message of `commandError` for text the core cannot read as a command: what its parser
/// (attoparsec) reports when none of the commands' alternatives reads the text, whatever the
/// text is.
pub(super) const PARSE_FAILURE: &str = "Failed reading: empty";

/// An answer, or the error answer that ends it early.
type Answer = Result<ChatResponse, ChatCmdError>;

fn ok(r: impl Into<ChatResponse>) -> Answer {
    Ok(r.into())
}

impl World {
    /// The model's answer to `cmd`; follow-up events go to the outbox.
    ///
    /// `Undocumented` text gets the error the core gives text it cannot read.
    pub fn answer(&mut self, cmd: &AnyCommand) -> ChatResponse {
        match self.dispatch(cmd) {
            Ok(r) => r,
            Err(e) => ChatResponse::from(e),
        }
    }

    /// The error answer for text the core refuses to read as a command.
    pub(super) fn refusal(&self) -> ChatResponse {
        ChatResponse::from(self.command_error(PARSE_FAILURE))
    }

    fn command_error(&self, message: &str) -> ChatCmdError {
        let mut e = chat_error_type::CommandError::default();
        e.message = message.to_owned();
        self.error(e)
    }

    fn not_modelled(&self, cmd: &AnyCommand) -> ChatCmdError {
        self.command_error(&format!(
            "the test core does not model {}: a test can answer it with TestCore::on",
            cmd.name()
        ))
    }

    fn dispatch(&mut self, cmd: &AnyCommand) -> Answer {
        use AnyCommand as A;
        match cmd {
            A::ShowActiveUser(_) => self.show_active_user(),
            A::CreateActiveUser(c) => self.create_active_user(c),
            A::ListUsers(_) => self.list_users(),
            A::ApiSetActiveUser(c) => self.set_active_user(c),
            A::StartChat(_) => self.start_chat(),
            A::ApiStopChat(_) => {
                self.chat_running = false;
                ok(responses::ChatStopped::default())
            }
            A::ApiShowMyAddress(c) => self.show_address(c.user_id),
            A::ApiCreateMyAddress(c) => self.create_address(c),
            A::ApiDeleteMyAddress(c) => self.delete_address(c),
            A::ApiSetAddressSettings(c) => self.set_address_settings(c),
            A::ApiSetProfileAddress(c) => self.set_profile_address(c),
            A::ApiUpdateProfile(c) => {
                self.user_id(c.user_id)?;
                self.update_profile((*c.profile).clone())
            }
            A::ApiSendMessages(c) => self.send_messages(c),
            A::ApiUpdateChatItem(c) => self.update_item(c),
            A::ApiDeleteChatItem(c) => self.delete_items(c),
            A::ApiDeleteMemberChatItem(c) => self.moderate_items(c),
            A::ApiChatItemReaction(c) => self.react(c),
            A::ApiListContacts(c) => self.list_contacts(c),
            A::ApiListGroups(c) => self.list_groups(c),
            A::ApiAcceptContact(c) => self.accept_contact(c),
            A::ApiRejectContact(c) => self.reject_contact(c),
            A::ApiJoinGroup(c) => self.join_group(c),
            A::ApiListMembers(c) => self.list_members(c),
            A::ApiLeaveGroup(c) => self.leave_group(c),
            A::ApiNewGroup(c) => self.new_group_cmd(c),
            A::ApiUpdateGroupProfile(c) => self.update_group_profile(c),
            A::ApiAddMember(c) => self.add_member(c),
            A::ApiAcceptMember(c) => self.accept_member(c),
            A::ApiMembersRole(c) => self.members_role(c),
            A::ApiBlockMembersForAll(c) => self.block_members(c),
            A::ApiRemoveMembers(c) => self.remove_members(c),
            A::ReceiveFile(c) => self.receive_file(c),
            A::CancelFile(c) => self.cancel_file(c),
            A::ApiDeleteChat(c) => self.delete_chat(c),
            A::ApiSetContactPrefs(c) => self.set_contact_prefs(c),
            A::ApiSetContactCustomData(c) => {
                let user = self.need_user()?;
                let entry = self.live_contact_mut(c.contact_id)?;
                entry.contact.custom_data = c.custom_data.clone();
                ok(cmd_ok(user))
            }
            A::ApiSetGroupCustomData(c) => {
                let user = self.need_user()?;
                self.need_group_mut(c.group_id)?.info.custom_data = c.custom_data.clone();
                ok(cmd_ok(user))
            }
            A::ApiSetUserAutoAcceptMemberContacts(c) => {
                self.user_id(c.user_id)?;
                if let Some(u) = self.user.as_mut() {
                    u.auto_accept_member_contacts = c.on_off;
                }
                ok(cmd_ok(self.need_user()?))
            }
            A::ApiSetUserAutoAcceptGroupInvitations(c) => {
                self.user_id(c.user_id)?;
                if let Some(u) = self.user.as_mut() {
                    u.auto_accept_group_invitations = c.on_off;
                }
                ok(cmd_ok(self.need_user()?))
            }
            A::Undocumented(_) => Err(self.command_error(PARSE_FAILURE)),
            other => Err(self.not_modelled(other)),
        }
    }

    // --- checks, as the core makes them ----------------------------------------------------

    /// The active user (`noActiveUser`, from the real frame, when there is none).
    fn need_user(&self) -> Result<Box<simplex_api_types::types::User>, ChatCmdError> {
        match &self.user {
            Some(u) => Ok(Box::new(u.clone())),
            None => Err(self.t.no_active_user.clone()),
        }
    }

    /// The active user, which a command naming `user_id` must name.
    fn user_id(&self, user_id: i64) -> Result<Box<simplex_api_types::types::User>, ChatCmdError> {
        let user = self.need_user()?;
        if user.user_id != user_id {
            let mut e = chat_error_type::DifferentActiveUser::default();
            e.command_user_id = user_id;
            e.active_user_id = user.user_id;
            return Err(self.error(e));
        }
        Ok(user)
    }

    fn running(&self) -> Result<(), ChatCmdError> {
        if self.chat_running {
            Ok(())
        } else {
            Err(self.error(ChatErrorType::ChatNotStarted))
        }
    }

    fn contact_not_found(&self, contact_id: i64) -> ChatCmdError {
        let mut e = store_error::ContactNotFound::default();
        e.contact_id = contact_id;
        self.store_error(e)
    }

    fn group_not_found(&self, group_id: i64) -> ChatCmdError {
        let mut e = store_error::GroupNotFound::default();
        e.group_id = group_id;
        self.store_error(e)
    }

    fn item_not_found(&self, item_id: i64) -> ChatCmdError {
        let mut e = store_error::ChatItemNotFound::default();
        e.item_id = item_id;
        self.store_error(e)
    }

    fn file_not_found(&self, file_id: i64) -> ChatCmdError {
        let mut e = store_error::FileNotFound::default();
        e.file_id = file_id;
        self.store_error(e)
    }

    /// A contact the bot has not deleted.
    fn live_contact(&self, contact_id: i64) -> Result<&super::world::ContactEntry, ChatCmdError> {
        match self.contact_entry(contact_id) {
            Some(c) if c.state != ContactState::DeletedByBot => Ok(c),
            _ => Err(self.contact_not_found(contact_id)),
        }
    }

    fn live_contact_mut(
        &mut self,
        contact_id: i64,
    ) -> Result<&mut super::world::ContactEntry, ChatCmdError> {
        let missing = self.contact_not_found(contact_id);
        match self.contact_entry_mut(contact_id) {
            Some(c) if c.state != ContactState::DeletedByBot => Ok(c),
            _ => Err(missing),
        }
    }

    fn need_group(&self, group_id: i64) -> Result<&GroupEntry, ChatCmdError> {
        self.group_entry(group_id)
            .ok_or_else(|| self.group_not_found(group_id))
    }

    fn need_group_mut(&mut self, group_id: i64) -> Result<&mut GroupEntry, ChatCmdError> {
        let missing = self.group_not_found(group_id);
        self.group_entry_mut(group_id).ok_or(missing)
    }

    /// The bot must be in the group with at least `role`.
    fn group_role(&self, group_id: i64, role: GroupMemberRole) -> Result<(), ChatCmdError> {
        let g = self.need_group(group_id)?;
        if !is_active(&g.info.membership.member_status) {
            let mut e = chat_error_type::GroupNotJoined::default();
            e.group_info = Box::new(g.info.clone());
            return Err(self.error(e));
        }
        if role_rank(&g.info.membership.member_role) < role_rank(&role) {
            let mut e = chat_error_type::GroupUserRole::default();
            e.group_info = Box::new(g.info.clone());
            e.required_role = role;
            return Err(self.error(e));
        }
        Ok(())
    }

    /// The chat a command names: a contact the bot has not deleted, or a group.
    fn chat(&self, r: &simplex_api_types::types::ChatRef) -> Result<Chat, ChatCmdError> {
        match chat_of(r) {
            Some(Chat::Direct(id)) => self.live_contact(id).map(|_| Chat::Direct(id)),
            Some(Chat::Group(id)) => self.need_group(id).map(|_| Chat::Group(id)),
            None => Err(self.command_error(&format!(
                "the test core does not model {} chats",
                r.chat_type.as_str().unwrap_or("these")
            ))),
        }
    }

    /// An item of `chat`.
    fn item_in(&self, chat: Chat, item_id: i64) -> Result<usize, ChatCmdError> {
        self.items
            .iter()
            .position(|i| i.chat == chat && i.item.meta.item_id == item_id)
            .ok_or_else(|| self.item_not_found(item_id))
    }

    // --- users and the chat ----------------------------------------------------------------

    fn show_active_user(&mut self) -> Answer {
        self.need_user()?;
        ok(self.active_user_response())
    }

    fn create_active_user(&mut self, c: &CreateActiveUser) -> Answer {
        let profile = c.new_user.profile.as_deref().cloned().unwrap_or_else(|| {
            let mut p = Profile::default();
            p.display_name = "bot".to_owned();
            p
        });
        if let Some(user) = &self.user {
            if user.local_display_name == profile.display_name {
                let mut e = chat_error_type::UserExists::default();
                e.contact_name = profile.display_name;
                return Err(self.error(e));
            }
            return Err(self.command_error(
                "the test core models one user, and there is one: it does not create another",
            ));
        }
        if profile.display_name.is_empty() || profile.display_name.contains(char::is_whitespace) {
            let mut e = chat_error_type::InvalidDisplayName::default();
            e.display_name = profile.display_name.clone();
            e.valid_name = profile
                .display_name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("_");
            return Err(self.error(e));
        }
        self.user = Some(self.new_user(&profile, c.new_user.user_chat_relay));
        ok(self.active_user_response())
    }

    fn list_users(&mut self) -> Answer {
        let mut r = responses::UsersList::default();
        if let Some(user) = &self.user {
            let mut info = UserInfo::default();
            info.user = Box::new(user.clone());
            info.unread_count = 0;
            r.users.push(info);
        }
        ok(r)
    }

    fn set_active_user(&mut self, c: &ApiSetActiveUser) -> Answer {
        match &self.user {
            Some(u) if u.user_id == c.user_id => ok(self.active_user_response()),
            _ => {
                let mut e = store_error::UserNotFound::default();
                e.user_id = c.user_id;
                Err(self.store_error(e))
            }
        }
    }

    fn start_chat(&mut self) -> Answer {
        self.need_user()?;
        if self.chat_running {
            ok(responses::ChatRunning::default())
        } else {
            self.chat_running = true;
            ok(responses::ChatStarted::default())
        }
    }

    // --- the address and the profile -------------------------------------------------------

    fn address_or_error(&self) -> Result<simplex_api_types::types::UserContactLink, ChatCmdError> {
        self.address
            .clone()
            .ok_or_else(|| self.store_error(StoreError::UserContactLinkNotFound))
    }

    fn show_address(&mut self, user_id: i64) -> Answer {
        let user = self.user_id(user_id)?;
        let link = self.address_or_error()?;
        let mut r = self.t.user_contact_link.clone();
        r.user = user;
        r.contact_link = Box::new(link);
        ok(r)
    }

    fn create_address(&mut self, c: &ApiCreateMyAddress) -> Answer {
        let user = self.user_id(c.user_id)?;
        if self.address.is_some() {
            return Err(self.store_error(StoreError::DuplicateContactLink));
        }
        let mut link = self.t.address.clone();
        link.user_contact_link_id = 1;
        link.short_link_data_set = true;
        link.short_link_large_data_set = true;
        link.address_settings = AddressSettings::new(false);
        let mut r = responses::UserContactLinkCreated::default();
        r.user = user;
        r.conn_link_contact = link.conn_link_contact.clone();
        self.address = Some(link);
        ok(r)
    }

    fn delete_address(&mut self, c: &ApiDeleteMyAddress) -> Answer {
        self.user_id(c.user_id)?;
        let link = self.address_or_error()?;
        self.address = None;
        // The address leaves the profile with it.
        if let Some(user) = self.user.as_mut() {
            let ours = [
                Some(&link.conn_link_contact.conn_full_link),
                link.conn_link_contact.conn_short_link.as_ref(),
            ];
            if ours.contains(&user.profile.contact_link.as_ref()) {
                user.profile.contact_link = None;
            }
        }
        let mut r = responses::UserContactLinkDeleted::default();
        r.user = self.need_user()?;
        ok(r)
    }

    fn set_address_settings(&mut self, c: &ApiSetAddressSettings) -> Answer {
        let user = self.user_id(c.user_id)?;
        let mut link = self.address_or_error()?;
        link.address_settings = c.settings.clone();
        self.address = Some(link.clone());
        let mut r = responses::UserContactLinkUpdated::default();
        r.user = user;
        r.contact_link = Box::new(link);
        ok(r)
    }

    fn set_profile_address(&mut self, c: &ApiSetProfileAddress) -> Answer {
        let user = self.user_id(c.user_id)?;
        let link = self.address_or_error()?;
        let mut p = profile_of(&user.profile);
        p.contact_link = if c.enable {
            Some(
                link.conn_link_contact
                    .conn_short_link
                    .clone()
                    .unwrap_or(link.conn_link_contact.conn_full_link),
            )
        } else {
            None
        };
        self.update_profile(p)
    }

    fn update_profile(&mut self, to: Profile) -> Answer {
        let mut user = self.need_user()?;
        let from = profile_of(&user.profile);
        if from == to {
            let mut r = responses::UserProfileNoChange::default();
            r.user = user;
            return ok(r);
        }
        if to.display_name.is_empty() || to.display_name.contains(char::is_whitespace) {
            let mut e = chat_error_type::InvalidDisplayName::default();
            e.display_name = to.display_name.clone();
            e.valid_name = to
                .display_name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("_");
            return Err(self.error(e));
        }
        user.profile = Box::new(local_profile(&user.profile, &to));
        user.local_display_name = to.display_name.clone();
        merge_preferences(&mut user);
        self.user = Some((*user).clone());
        let mut summary = UserProfileUpdateSummary::default();
        summary.update_successes = self
            .contacts
            .iter()
            .filter(|c| c.state == ContactState::Connected)
            .count() as i64;
        let mut r = responses::UserProfileUpdated::default();
        r.user = user;
        r.from_profile = Box::new(from);
        r.to_profile = Box::new(to);
        r.update_summary = summary;
        ok(r)
    }

    // --- messages --------------------------------------------------------------------------

    fn send_messages(&mut self, c: &ApiSendMessages) -> Answer {
        let user = self.need_user()?;
        self.running()?;
        let chat = self.chat(&c.send_ref)?;
        let dir = match chat {
            Chat::Direct(id) => {
                let entry = self.live_contact(id)?;
                if entry.state != ContactState::Connected {
                    let mut e = chat_error_type::ContactNotActive::default();
                    e.contact = Box::new(entry.contact.clone());
                    return Err(self.error(e));
                }
                CiDirection::DirectSnd
            }
            Chat::Group(id) => {
                self.group_role(id, GroupMemberRole::Author)?;
                CiDirection::GroupSnd
            }
        };
        if c.composed_messages.is_empty() {
            return Err(self.command_error(PARSE_FAILURE));
        }
        // Check every quote first: nothing is sent when one fails.
        let mut quotes = Vec::new();
        for m in &c.composed_messages {
            quotes.push(match m.quoted_item_id {
                Some(id) => Some(self.quote(chat, id)?),
                None => None,
            });
        }
        let mut items = Vec::new();
        let mut completed_files = Vec::new();
        for (m, quote) in c.composed_messages.iter().zip(quotes) {
            let text = m.msg_content.text().unwrap_or_default().to_owned();
            let (file, sent_file) = match &m.file_source {
                Some(source) => {
                    let (file, sent) = self.sent_file(source);
                    (Some(file), Some(sent))
                }
                None => (None, None),
            };
            let item_text = match (&sent_file, text.is_empty()) {
                (Some(f), true) => f.name.clone(),
                _ => text,
            };
            let mut content = ci_content::SndMsgContent::default();
            content.msg_content = m.msg_content.clone();
            let mut item = self.new_item(
                chat,
                dir.clone(),
                CiContent::from(content),
                item_text,
                file.clone(),
            );
            if c.live_message {
                item.meta.item_live = Some(true);
            }
            if let Some(ttl) = c.ttl {
                let mut timed = simplex_api_types::types::CiTimed::default();
                timed.ttl = ttl;
                item.meta.item_timed = Some(timed);
            }
            item.quoted_item = quote.map(Box::new);
            let item_id = item.meta.item_id;
            if let Some(entry) = self.item_mut(item_id) {
                entry.item = item.clone();
            }
            if let Some(f) = &file {
                if let Some(entry) = self.files.iter_mut().find(|e| e.file_id == f.file_id) {
                    entry.item_id = item_id;
                }
            }
            let received = ReceivedMessage {
                item_id,
                content: m.msg_content.clone(),
                quoted_item_id: m.quoted_item_id,
                file: sent_file.clone(),
            };
            if let Some(inbox) = self.inbox(chat) {
                inbox.messages.push(received);
            }
            if let (Some(file), Some(sent)) = (file, sent_file) {
                completed_files.push((item_id, file, sent));
            }
            items.push(self.a_chat_item(chat, item));
        }
        let mut r = self.t.new_chat_items.clone();
        r.user = user.clone();
        r.chat_items = items;
        // Each file is uploaded after the response, as the test said.
        for (item_id, file, sent) in completed_files {
            let mut meta = FileTransferMeta::default();
            meta.file_id = file.file_id;
            meta.file_name = sent.name;
            meta.file_path = sent.path;
            meta.file_size = file.file_size;
            meta.chunk_size = 15_780;
            meta.cancelled = false;
            match self.uploads {
                Transfer::Stalls => {}
                Transfer::Fails => {
                    let mut status = ci_file_status::SndError::default();
                    status.snd_file_error = simplex_api_types::types::FileError::NoFile;
                    self.set_file_status(item_id, CiFileStatus::from(status), None);
                    let mut e = events::SndFileError::default();
                    e.user = user.clone();
                    e.chat_item_ = self.chat_item(item_id);
                    e.file_transfer_meta = Box::new(meta);
                    e.error_message = "the relay refused the file (test core)".to_owned();
                    self.push_event(e);
                }
                _ => {
                    self.set_file_status(item_id, CiFileStatus::SndComplete, None);
                    let mut e = events::SndFileCompleteXftp::default();
                    e.user = user.clone();
                    if let Some(item) = self.chat_item(item_id) {
                        e.chat_item = item;
                    }
                    e.file_transfer_meta = Box::new(meta);
                    self.push_event(e);
                }
            }
        }
        ok(r)
    }

    fn inbox(&mut self, chat: Chat) -> Option<&mut Inbox> {
        match chat {
            Chat::Direct(id) => self.contact_entry_mut(id).map(|c| &mut c.inbox),
            Chat::Group(id) => self.group_entry_mut(id).map(|g| &mut g.inbox),
        }
    }

    /// The quote of item `item_id` of `chat`.
    fn quote(&self, chat: Chat, item_id: i64) -> Result<CiQuote, ChatCmdError> {
        let index = self.item_in(chat, item_id)?;
        let item = &self.items[index].item;
        let mut q = CiQuote::default();
        q.chat_dir = Some(item.chat_dir.clone());
        q.item_id = Some(item_id);
        q.shared_msg_id = item.meta.item_shared_msg_id.clone();
        q.sent_at = item.meta.item_ts.clone();
        q.content = item
            .content
            .msg_content()
            .cloned()
            .unwrap_or_else(|| MsgContent::from(item.meta.item_text.as_str()));
        Ok(q)
    }

    /// The file record of a file the bot sends, and what the recipient gets.
    fn sent_file(&mut self, source: &CryptoFile) -> (CiFile, SentFile) {
        let path = source.file_path.clone();
        let name = std::path::Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.clone());
        let bytes = std::fs::read(&path).ok();
        let mut f = CiFile::default();
        f.file_id = self.next_file_id();
        f.file_name = name.clone();
        f.file_size = bytes.as_ref().map_or(0, |b| b.len() as i64);
        f.file_source = Some(source.clone());
        f.file_status = CiFileStatus::SndStored;
        f.file_protocol = FileProtocol::Xftp;
        self.files.push(FileEntry {
            file_id: f.file_id,
            item_id: 0,
            name: name.clone(),
            path: path.clone(),
            bytes: Vec::new(),
            incoming: false,
            state: FileState::Offered,
            transfer: self.uploads,
            crypto: None,
        });
        (f, SentFile { name, path, bytes })
    }

    fn update_item(&mut self, c: &ApiUpdateChatItem) -> Answer {
        let user = self.need_user()?;
        let chat = self.chat(&c.chat_ref)?;
        let index = self.item_in(chat, c.chat_item_id)?;
        let item = &self.items[index].item;
        let CiContent::SndMsgContent(current) = &item.content else {
            return Err(self.error(ChatErrorType::InvalidChatItemUpdate));
        };
        if current.msg_content == c.updated_message.msg_content {
            let mut r = responses::ChatItemNotChanged::default();
            r.user = user;
            r.chat_item = self.a_chat_item(chat, item.clone());
            return ok(r);
        }
        let mut content = ci_content::SndMsgContent::default();
        content.msg_content = c.updated_message.msg_content.clone();
        let item = &mut self.items[index].item;
        item.content = CiContent::from(content);
        item.meta.item_text = c
            .updated_message
            .msg_content
            .text()
            .unwrap_or_default()
            .to_owned();
        item.meta.item_edited = true;
        item.meta.updated_at = now();
        let item = item.clone();
        let mut r = responses::ChatItemUpdated::default();
        r.user = user;
        r.chat_item = self.a_chat_item(chat, item);
        ok(r)
    }

    fn delete_items(&mut self, c: &ApiDeleteChatItem) -> Answer {
        let user = self.need_user()?;
        let chat = self.chat(&c.chat_ref)?;
        let mut indices = Vec::new();
        for &id in &c.chat_item_ids {
            let index = self.item_in(chat, id)?;
            let sent = matches!(
                self.items[index].item.chat_dir,
                CiDirection::DirectSnd | CiDirection::GroupSnd
            );
            if c.delete_mode == CiDeleteMode::Broadcast && !sent {
                return Err(self.error(ChatErrorType::InvalidChatItemDelete));
            }
            indices.push(index);
        }
        let mark = matches!(
            c.delete_mode,
            CiDeleteMode::Broadcast | CiDeleteMode::InternalMark
        );
        let chat_type = match chat {
            Chat::Direct(_) => ChatType::Direct,
            Chat::Group(_) => ChatType::Group,
        };
        let mut deletions = Vec::new();
        for &index in &indices {
            let before = self.a_chat_item(chat, self.items[index].item.clone());
            let mut d = ChatItemDeletion::default();
            d.deleted_chat_item = before;
            if mark {
                let mut deleted = ci_deleted::Deleted::default();
                deleted.deleted_ts = Some(now());
                deleted.chat_type = chat_type.clone();
                let item = &mut self.items[index].item;
                item.meta.item_deleted = Some(CiDeleted::from(deleted));
                item.meta.editable = false;
                let item = item.clone();
                d.to_chat_item = Some(self.a_chat_item(chat, item));
            }
            deletions.push(d);
        }
        if !mark {
            let ids = &c.chat_item_ids;
            self.items
                .retain(|i| !(i.chat == chat && ids.contains(&i.item.meta.item_id)));
        }
        let mut r = responses::ChatItemsDeleted::default();
        r.user = user;
        r.chat_item_deletions = deletions;
        r.by_user = true;
        r.timed = false;
        ok(r)
    }

    fn moderate_items(&mut self, c: &ApiDeleteMemberChatItem) -> Answer {
        let user = self.need_user()?;
        self.group_role(c.group_id, GroupMemberRole::Moderator)?;
        let chat = Chat::Group(c.group_id);
        let mut indices = Vec::new();
        for &id in &c.chat_item_ids {
            let index = self.item_in(chat, id)?;
            if !matches!(self.items[index].item.chat_dir, CiDirection::GroupRcv(_)) {
                return Err(self.error(ChatErrorType::InvalidChatItemDelete));
            }
            indices.push(index);
        }
        let by = self.need_group(c.group_id)?.info.membership.clone();
        let mut deletions = Vec::new();
        for index in indices {
            let mut d = ChatItemDeletion::default();
            d.deleted_chat_item = self.a_chat_item(chat, self.items[index].item.clone());
            let mut moderated = ci_deleted::Moderated::default();
            moderated.deleted_ts = Some(now());
            moderated.by_group_member = by.clone();
            let item = &mut self.items[index].item;
            item.meta.item_deleted = Some(CiDeleted::from(moderated));
            let item = item.clone();
            d.to_chat_item = Some(self.a_chat_item(chat, item));
            deletions.push(d);
        }
        let mut r = responses::ChatItemsDeleted::default();
        r.user = user;
        r.chat_item_deletions = deletions;
        r.by_user = true;
        r.timed = false;
        ok(r)
    }

    fn react(&mut self, c: &ApiChatItemReaction) -> Answer {
        let user = self.need_user()?;
        let chat = self.chat(&c.chat_ref)?;
        let index = self.item_in(chat, c.chat_item_id)?;
        let item = &mut self.items[index].item;
        match item.reactions.iter().position(|r| r.reaction == c.reaction) {
            Some(i) => {
                let r = &mut item.reactions[i];
                if r.user_reacted != c.add {
                    r.user_reacted = c.add;
                    r.total_reacted += if c.add { 1 } else { -1 };
                }
                if r.total_reacted <= 0 {
                    item.reactions.remove(i);
                }
            }
            None if c.add => {
                let mut r = CiReactionCount::default();
                r.reaction = c.reaction.clone();
                r.user_reacted = true;
                r.total_reacted = 1;
                item.reactions.push(r);
            }
            None => {}
        }
        let item = item.clone();
        let mut reaction = CiReaction::default();
        reaction.chat_dir = match chat {
            Chat::Direct(_) => CiDirection::DirectSnd,
            Chat::Group(_) => CiDirection::GroupSnd,
        };
        reaction.chat_item = Box::new(item);
        reaction.sent_at = now();
        reaction.reaction = c.reaction.clone();
        let mut a = AciReaction::default();
        a.chat_info = self.chat_info(chat);
        a.chat_reaction = reaction;
        let mut r = responses::ChatItemReaction::default();
        r.user = user;
        r.added = c.add;
        r.reaction = Box::new(a);
        ok(r)
    }

    // --- contacts ----------------------------------------------------------------------------

    fn list_contacts(&mut self, c: &ApiListContacts) -> Answer {
        let user = self.user_id(c.user_id)?;
        let mut r = self.t.contacts_list.clone();
        r.user = user;
        r.contacts = self.contacts().cloned().collect();
        ok(r)
    }

    /// The index of the contact request `id` that is still waiting for an answer, or the
    /// store error the core gives for any other id.
    fn pending_request(&self, id: i64) -> Result<usize, ChatCmdError> {
        match self
            .requests
            .iter()
            .position(|r| r.request.contact_request_id == id && r.outcome.is_none())
        {
            Some(index) => Ok(index),
            None => {
                let mut e = store_error::ContactRequestNotFound::default();
                e.contact_request_id = id;
                Err(self.store_error(e))
            }
        }
    }

    fn accept_contact(&mut self, c: &ApiAcceptContact) -> Answer {
        let user = self.need_user()?;
        let index = self.pending_request(c.contact_req_id)?;
        self.requests[index].outcome = Some(true);
        let name = self.requests[index].name.clone();
        // The response comes first, then `contactConnected`: the events are queued now and
        // sent after it.
        let mut contact = Default::default();
        self.connected(&name, Some(&mut contact));
        let mut r = responses::AcceptingContactRequest::default();
        r.user = user;
        r.contact = Box::new(contact);
        ok(r)
    }

    fn reject_contact(&mut self, c: &ApiRejectContact) -> Answer {
        let user = self.need_user()?;
        let index = self.pending_request(c.contact_req_id)?;
        let entry = &mut self.requests[index];
        entry.outcome = Some(false);
        let mut r = responses::ContactRequestRejected::default();
        r.user = user;
        r.contact_request = Box::new(entry.request.clone());
        ok(r)
    }

    fn set_contact_prefs(&mut self, c: &ApiSetContactPrefs) -> Answer {
        let user = self.need_user()?;
        let entry = self.live_contact_mut(c.contact_id)?;
        let from = entry.contact.clone();
        entry.contact.user_preferences = c.preferences.clone();
        entry.contact.updated_at = now();
        let mut r = responses::ContactPrefsUpdated::default();
        r.user = user;
        r.from_contact = Box::new(from);
        r.to_contact = Box::new(entry.contact.clone());
        ok(r)
    }

    fn delete_chat(&mut self, c: &ApiDeleteChat) -> Answer {
        let user = self.need_user()?;
        match self.chat(&c.chat_ref)? {
            Chat::Direct(id) => {
                let messages = matches!(c.chat_delete_mode, ChatDeleteMode::Messages);
                let full = matches!(c.chat_delete_mode, ChatDeleteMode::Full(_));
                if messages || full {
                    self.items.retain(|i| i.chat != Chat::Direct(id));
                }
                let entry = self.live_contact_mut(id)?;
                if messages {
                    entry.contact.chat_deleted = true;
                } else {
                    entry.state = ContactState::DeletedByBot;
                    entry.contact.contact_status =
                        simplex_api_types::types::ContactStatus::DeletedByUser;
                }
                let mut r = responses::ContactDeleted::default();
                r.user = user;
                r.contact = Box::new(entry.contact.clone());
                ok(r)
            }
            Chat::Group(id) => {
                if matches!(c.chat_delete_mode, ChatDeleteMode::Messages) {
                    return Err(self.command_error(
                        "the test core does not model clearing a group's messages",
                    ));
                }
                self.items.retain(|i| i.chat != Chat::Group(id));
                let g = self.need_group_mut(id)?;
                g.deleted = true;
                let mut r = responses::GroupDeletedUser::default();
                r.user = user;
                r.group_info = Box::new(g.info.clone());
                r.msg_signed = false;
                r.local_deletion = true;
                ok(r)
            }
        }
    }

    // --- groups ------------------------------------------------------------------------------

    fn list_groups(&mut self, c: &ApiListGroups) -> Answer {
        let user = self.user_id(c.user_id)?;
        let search = c.search.as_deref().map(str::to_lowercase);
        let mut r = responses::GroupsList::default();
        r.user = user;
        r.groups = self
            .groups
            .iter()
            .filter(|g| !g.deleted)
            .filter(|g| {
                c.contact_id_.is_none_or(|id| {
                    g.members
                        .iter()
                        .any(|m| m.member.member_contact_id == Some(id))
                })
            })
            .filter(|g| {
                search.as_ref().is_none_or(|s| {
                    g.info.group_profile.display_name.to_lowercase().contains(s)
                        || g.info.local_display_name.to_lowercase().contains(s)
                })
            })
            .map(|g| g.info.clone())
            .collect();
        ok(r)
    }

    fn join_group(&mut self, c: &ApiJoinGroup) -> Answer {
        let user = self.need_user()?;
        let g = self.need_group(c.group_id)?;
        if g.info.membership.member_status != GroupMemberStatus::Invited {
            return Err(self.store_error(StoreError::GroupAlreadyJoined));
        }
        let host_contact = g
            .inviter
            .as_deref()
            .and_then(|name| self.contact_named(name))
            .map(|c| Box::new(c.contact.clone()));
        let host = g.members.first().map(|m| m.member.clone());
        let g = self.need_group_mut(c.group_id)?;
        g.info.membership.member_status = GroupMemberStatus::Accepted;
        let mut r = responses::UserAcceptedGroupSent::default();
        r.user = user.clone();
        r.group_info = Box::new(g.info.clone());
        r.host_contact = host_contact;
        // The connection to the host completes after the response.
        g.info.membership.member_status = GroupMemberStatus::Connected;
        g.info.membership.updated_at = now();
        let mut e = events::UserJoinedGroup::default();
        e.user = user;
        e.group_info = Box::new(g.info.clone());
        e.host_member = Box::new(host.unwrap_or_default());
        self.push_event(e);
        ok(r)
    }

    fn list_members(&mut self, c: &ApiListMembers) -> Answer {
        let user = self.need_user()?;
        let g = self.need_group(c.group_id)?;
        let mut group = Group::default();
        group.group_info = Box::new(g.info.clone());
        group.members = g.members.iter().map(|m| m.member.clone()).collect();
        let mut r = responses::GroupMembers::default();
        r.user = user;
        r.group = group;
        ok(r)
    }

    fn leave_group(&mut self, c: &ApiLeaveGroup) -> Answer {
        let user = self.need_user()?;
        let g = self.need_group_mut(c.group_id)?;
        g.info.membership.member_status = GroupMemberStatus::Left;
        let mut r = responses::LeftMemberUser::default();
        r.user = user;
        r.group_info = Box::new(g.info.clone());
        ok(r)
    }

    fn new_group_cmd(&mut self, c: &ApiNewGroup) -> Answer {
        let user = self.user_id(c.user_id)?;
        let name = c.group_profile.display_name.clone();
        let mut info = self.new_group(&name, GroupMemberRole::Owner, GroupMemberStatus::Creator);
        info.group_profile = c.group_profile.clone();
        self.groups.push(GroupEntry {
            name,
            info: info.clone(),
            members: Vec::new(),
            inviter: None,
            inbox: Inbox::default(),
            deleted: false,
        });
        let mut r = responses::GroupCreated::default();
        r.user = user;
        r.group_info = Box::new(info);
        ok(r)
    }

    fn update_group_profile(&mut self, c: &ApiUpdateGroupProfile) -> Answer {
        let user = self.need_user()?;
        self.group_role(c.group_id, GroupMemberRole::Owner)?;
        let g = self.need_group_mut(c.group_id)?;
        let from = g.info.clone();
        g.info.group_profile = c.group_profile.clone();
        g.info.updated_at = now();
        let mut r = responses::GroupUpdated::default();
        r.user = user;
        r.from_group = Box::new(from);
        r.to_group = Box::new(g.info.clone());
        r.msg_signed = false;
        ok(r)
    }

    fn add_member(&mut self, c: &ApiAddMember) -> Answer {
        let user = self.need_user()?;
        self.group_role(c.group_id, GroupMemberRole::Admin)?;
        let contact = self.live_contact(c.contact_id)?.contact.clone();
        let g = self.need_group(c.group_id)?;
        if g.members.iter().any(|m| {
            m.member.member_contact_id == Some(c.contact_id) && is_active(&m.member.member_status)
        }) {
            let mut e = chat_error_type::GroupDuplicateMember::default();
            e.contact_name = contact.local_display_name.clone();
            return Err(self.error(e));
        }
        let info = g.info.clone();
        let index = g.members.len() as i64 + 2;
        let mut member = self.new_member(
            &info,
            &contact.local_display_name,
            Some(&contact),
            c.member_role.clone(),
            GroupMemberCategory::Invitee,
            index,
        );
        member.member_status = GroupMemberStatus::Invited;
        member.invited_by = simplex_api_types::types::InvitedBy::User;
        let g = self.need_group_mut(c.group_id)?;
        g.members.push(MemberEntry {
            name: contact.local_display_name.clone(),
            member: member.clone(),
        });
        let mut r = responses::SentGroupInvitation::default();
        r.user = user;
        r.group_info = Box::new(g.info.clone());
        r.contact = Box::new(contact);
        r.member = Box::new(member);
        ok(r)
    }

    /// Member `id` of group `group_id`, or the store's error.
    fn member_index(&self, group_id: i64, id: i64) -> Result<usize, ChatCmdError> {
        self.need_group(group_id)?
            .members
            .iter()
            .position(|m| m.member.group_member_id == id)
            .ok_or_else(|| {
                let mut e = store_error::GroupMemberNotFound::default();
                e.group_member_id = id;
                self.store_error(e)
            })
    }

    fn accept_member(&mut self, c: &ApiAcceptMember) -> Answer {
        let user = self.need_user()?;
        self.group_role(c.group_id, GroupMemberRole::Moderator)?;
        let index = self.member_index(c.group_id, c.group_member_id)?;
        let g = self.need_group_mut(c.group_id)?;
        let m = &mut g.members[index].member;
        m.member_role = c.member_role.clone();
        m.member_status = GroupMemberStatus::Connected;
        let member = m.clone();
        let mut r = responses::MemberAccepted::default();
        r.user = user;
        r.group_info = Box::new(g.info.clone());
        r.member = Box::new(member);
        ok(r)
    }

    /// The members `ids` of group `group_id`, each changed by `change`.
    fn change_members(
        &mut self,
        group_id: i64,
        ids: &[i64],
        role: GroupMemberRole,
        change: impl Fn(&mut simplex_api_types::types::GroupMember),
    ) -> Result<
        (
            simplex_api_types::types::GroupInfo,
            Vec<simplex_api_types::types::GroupMember>,
        ),
        ChatCmdError,
    > {
        self.group_role(group_id, role)?;
        let indices = ids
            .iter()
            .map(|&id| self.member_index(group_id, id))
            .collect::<Result<Vec<_>, _>>()?;
        let g = self.need_group_mut(group_id)?;
        let mut members = Vec::new();
        for index in indices {
            let m = &mut g.members[index].member;
            change(m);
            m.updated_at = now();
            members.push(m.clone());
        }
        Ok((g.info.clone(), members))
    }

    fn members_role(&mut self, c: &ApiMembersRole) -> Answer {
        let user = self.need_user()?;
        let role = c.member_role.clone();
        let (info, members) = self.change_members(
            c.group_id,
            &c.group_member_ids,
            GroupMemberRole::Admin,
            |m| {
                m.member_role = role.clone();
            },
        )?;
        let mut r = responses::MembersRoleUser::default();
        r.user = user;
        r.group_info = Box::new(info);
        r.members = members;
        r.to_role = c.member_role.clone();
        r.msg_signed = false;
        ok(r)
    }

    fn block_members(&mut self, c: &ApiBlockMembersForAll) -> Answer {
        let user = self.need_user()?;
        let blocked = c.blocked;
        let (info, members) = self.change_members(
            c.group_id,
            &c.group_member_ids,
            GroupMemberRole::Moderator,
            |m| m.blocked_by_admin = blocked,
        )?;
        let mut r = responses::MembersBlockedForAllUser::default();
        r.user = user;
        r.group_info = Box::new(info);
        r.members = members;
        r.blocked = c.blocked;
        r.msg_signed = false;
        ok(r)
    }

    fn remove_members(&mut self, c: &ApiRemoveMembers) -> Answer {
        let user = self.need_user()?;
        let (mut info, members) = self.change_members(
            c.group_id,
            &c.group_member_ids,
            GroupMemberRole::Admin,
            |m| m.member_status = GroupMemberStatus::Removed,
        )?;
        if let Ok(g) = self.need_group_mut(c.group_id) {
            g.info.group_summary.current_members -= members.len() as i64;
            info = g.info.clone();
        }
        let mut r = responses::UserDeletedMembers::default();
        r.user = user;
        r.group_info = Box::new(info);
        r.members = members;
        r.with_messages = c.with_messages;
        r.msg_signed = false;
        ok(r)
    }

    // --- files -------------------------------------------------------------------------------

    fn receive_file(&mut self, c: &ReceiveFile) -> Answer {
        let user = self.need_user()?;
        let Some(index) = self
            .files
            .iter()
            .position(|f| f.file_id == c.file_id && f.incoming)
        else {
            return Err(self.file_not_found(c.file_id));
        };
        let file = &self.files[index];
        match file.state {
            FileState::Offered => {}
            FileState::Complete(_) | FileState::Receiving => {
                let mut e = chat_error_type::FileAlreadyReceiving::default();
                e.message = file.name.clone();
                return Err(self.error(e));
            }
            FileState::Cancelled | FileState::Failed => {
                let mut e = chat_error_type::FileCancelled::default();
                e.message = file.name.clone();
                return Err(self.error(e));
            }
        }
        #[cfg(not(feature = "crypto-file"))]
        if c.store_encrypted == Some(true) {
            return Err(self.command_error(
                "the test core stores files encrypted (encrypt=on) only with the crypto-file \
                 feature of simplex-api-client",
            ));
        }
        let item_id = file.item_id;
        let size = file.bytes.len() as i64;
        let transfer = file.transfer;
        let path = match self.write_file(c.file_id, c.file_path.as_deref()) {
            Ok(p) => p,
            Err(e) => {
                let mut err = chat_error_type::FileWrite::default();
                err.file_path = c.file_path.clone().unwrap_or_default();
                err.message = e.to_string();
                return Err(self.error(err));
            }
        };
        let Some(entry) = self.items.iter().find(|i| i.item.meta.item_id == item_id) else {
            return Err(self.item_not_found(item_id));
        };
        let chat = entry.chat;
        self.files[index].path.clone_from(&path);
        #[cfg(feature = "crypto-file")]
        if c.store_encrypted == Some(true) {
            if let Err(e) = self.encrypt_file(c.file_id) {
                let mut err = chat_error_type::FileWrite::default();
                err.file_path = path.clone();
                err.message = e.to_string();
                return Err(self.error(err));
            }
        }
        self.set_file_status(item_id, CiFileStatus::RcvAccepted, None);
        let item = self.item_now(item_id, chat);
        let mut r = responses::RcvFileAccepted::default();
        r.user = user.clone();
        r.chat_item = item;
        // The transfer starts, and goes as the test said, after the response.
        self.set_file_status(item_id, rcv_transfer(size), None);
        self.files[index].path.clone_from(&path);
        self.files[index].state = FileState::Receiving;
        let mut start = events::RcvFileStart::default();
        start.user = user.clone();
        start.chat_item = self.item_now(item_id, chat);
        self.push_event(start);
        let sender = self.sender_of(item_id);
        match transfer {
            Transfer::Completes | Transfer::Vanishes => {
                if transfer == Transfer::Vanishes {
                    // Where the file would be; a missing file is what the test wants.
                    let _ = std::fs::remove_file(&path);
                }
                self.files[index].state = FileState::Complete(path.clone());
                self.set_file_status(item_id, CiFileStatus::RcvComplete, Some(&path));
                let mut done = events::RcvFileComplete::default();
                done.user = user;
                done.chat_item = self.item_now(item_id, chat);
                self.push_event(done);
            }
            Transfer::Fails => {
                let _ = std::fs::remove_file(&path);
                self.files[index].state = FileState::Failed;
                let mut status = ci_file_status::RcvError::default();
                status.rcv_file_error = simplex_api_types::types::FileError::NoFile;
                self.set_file_status(item_id, CiFileStatus::from(status), None);
                let mut failed = events::RcvFileError::default();
                failed.user = user;
                failed.chat_item_ = Some(self.item_now(item_id, chat));
                failed.agent_error = no_file_error();
                failed.rcv_file_transfer = Box::new(self.rcv_file_transfer(c.file_id, &sender));
                self.push_event(failed);
            }
            Transfer::SenderCancels => {
                let _ = std::fs::remove_file(&path);
                self.files[index].state = FileState::Cancelled;
                self.set_file_status(item_id, CiFileStatus::RcvCancelled, None);
                let mut cancelled = events::RcvFileSndCancelled::default();
                cancelled.user = user;
                cancelled.chat_item = self.item_now(item_id, chat);
                cancelled.rcv_file_transfer = Box::new(self.rcv_file_transfer(c.file_id, &sender));
                self.push_event(cancelled);
            }
            Transfer::Stalls => {}
        }
        ok(r)
    }

    /// Item `item_id` as it is now, with its chat.
    fn item_now(&self, item_id: i64, chat: Chat) -> AChatItem {
        self.chat_item(item_id)
            .unwrap_or_else(|| self.a_chat_item(chat, Default::default()))
    }

    fn cancel_file(&mut self, c: &CancelFile) -> Answer {
        let user = self.need_user()?;
        let Some(index) = self.files.iter().position(|f| f.file_id == c.file_id) else {
            return Err(self.file_not_found(c.file_id));
        };
        let file = &self.files[index];
        let cancel_error = |world: &World, message: &str| {
            let mut e = chat_error_type::FileCancel::default();
            e.file_id = c.file_id;
            e.message = message.to_owned();
            world.error(e)
        };
        if file.state == FileState::Cancelled {
            return Err(cancel_error(self, "file is already cancelled"));
        }
        if file.incoming && matches!(file.state, FileState::Complete(_) | FileState::Failed) {
            return Err(cancel_error(self, "file transfer is complete"));
        }
        let incoming = file.incoming;
        let item_id = file.item_id;
        self.files[index].state = FileState::Cancelled;
        if incoming {
            self.set_file_status(item_id, CiFileStatus::RcvCancelled, None);
            let sender = self.sender_of(item_id);
            let mut r = responses::RcvFileCancelled::default();
            r.user = user;
            r.chat_item_ = self.chat_item(item_id);
            r.rcv_file_transfer = Box::new(self.rcv_file_transfer(c.file_id, &sender));
            ok(r)
        } else {
            self.set_file_status(item_id, CiFileStatus::SndCancelled, None);
            let mut meta = FileTransferMeta::default();
            meta.file_id = c.file_id;
            meta.file_name = self.files[index].name.clone();
            meta.file_path = self.files[index].path.clone();
            meta.chunk_size = 15_780;
            meta.cancelled = true;
            let mut r = responses::SndFileCancelled::default();
            r.user = user;
            r.chat_item_ = self.chat_item(item_id);
            r.file_transfer_meta = Box::new(meta);
            ok(r)
        }
    }

    /// The display name of who sent item `item_id`.
    fn sender_of(&self, item_id: i64) -> String {
        self.chat_item(item_id)
            .and_then(|i| i.sender().map(|s| s.display_name().to_owned()))
            .unwrap_or_default()
    }
}

/// What the core reports when the relay has no such file: `FILE NO_FILE`.
fn no_file_error() -> simplex_api_types::types::AgentErrorType {
    let mut e = agent_error_type::File::default();
    e.file_err = simplex_api_types::types::FileErrorType::NoFile;
    e.into()
}

/// `cmdOk` with the user.
fn cmd_ok(user: Box<simplex_api_types::types::User>) -> responses::CmdOk {
    let mut r = responses::CmdOk::default();
    r.user_ = Some(user);
    r
}
