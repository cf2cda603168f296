//! The real captured frames the test core starts its answers from (copies of
//! `api-types/tests/data/`, which a test keeps byte-identical), decoded once into typed
//! templates.

use std::sync::OnceLock;

use simplex_api_types::responses::{ActiveUser, ChatCmdError, ContactsList, NewChatItems};
use simplex_api_types::types::{ChatItem, Contact, GroupInfo, GroupMember, User, UserContactLink};
use simplex_api_types::{events, parse_message, responses, ChatEvent, ChatResponse, Message};

/// `activeUser-2.json`: the response to `/u`, as the core's own test suite pins it.
pub(crate) const ACTIVE_USER: &str = include_str!("frames/activeUser-2.json");
/// `chatCmdError-6.json`: the "no active user" error, as the core's own test suite pins it.
pub(crate) const CHAT_CMD_ERROR: &str = include_str!("frames/chatCmdError-6.json");
/// `contactsList-1.json`: the response to `/_contacts 1` (a 6.3-era core).
pub(crate) const CONTACTS_LIST: &str = include_str!("frames/contactsList-1.json");
/// `newChatItems-5.json`: the response to `/_send @4 json [...]` (a 6.3-era core).
pub(crate) const NEW_CHAT_ITEMS: &str = include_str!("frames/newChatItems-5.json");
/// `receivedGroupInvitation-1.json`: a group invitation event (core v6.5.4.1).
pub(crate) const RECEIVED_GROUP_INVITATION: &str =
    include_str!("frames/receivedGroupInvitation-1.json");
/// `userContactLink-1.json`: the response to `/_show_address` (core v6.5.4.1).
pub(crate) const USER_CONTACT_LINK: &str = include_str!("frames/userContactLink-1.json");

/// Every embedded frame with the name of its original in `api-types/tests/data/`.
#[cfg(test)]
pub(crate) const ALL: &[(&str, &str)] = &[
    ("activeUser-2.json", ACTIVE_USER),
    ("chatCmdError-6.json", CHAT_CMD_ERROR),
    ("contactsList-1.json", CONTACTS_LIST),
    ("newChatItems-5.json", NEW_CHAT_ITEMS),
    ("receivedGroupInvitation-1.json", RECEIVED_GROUP_INVITATION),
    ("userContactLink-1.json", USER_CONTACT_LINK),
];

/// The decoded frames: whole responses and events to clone and fill in, and the records in
/// them that the world's records start from.
#[derive(Debug)]
pub(crate) struct Templates {
    pub(crate) active_user: ActiveUser,
    pub(crate) no_active_user: ChatCmdError,
    pub(crate) contacts_list: ContactsList,
    pub(crate) new_chat_items: NewChatItems,
    pub(crate) group_invitation: events::ReceivedGroupInvitation,
    pub(crate) user_contact_link: responses::UserContactLink,
    /// The bot user of the newest capture (v6.5.4.1, `userContactLink-1.json`).
    pub(crate) user: User,
    /// The bot's address of the same capture (its links are synthetic, of the real form).
    pub(crate) address: UserContactLink,
    /// The contact of the newest capture (v6.5.4.1, `receivedGroupInvitation-1.json`).
    pub(crate) contact: Contact,
    /// The group of the same capture, and the bot's membership in it.
    pub(crate) group: GroupInfo,
    pub(crate) member: GroupMember,
    /// The sent item of `newChatItems-5.json`.
    pub(crate) item: ChatItem,
}

/// The templates, decoded on first use.
pub(crate) fn templates() -> &'static Templates {
    static TEMPLATES: OnceLock<Templates> = OnceLock::new();
    TEMPLATES.get_or_init(decode_all)
}

fn response(text: &str) -> ChatResponse {
    match parse_message(text) {
        Ok(Message::Response(r)) => r.resp,
        other => unreachable!("an embedded frame decodes as a response: {other:?}"),
    }
}

fn event(text: &str) -> ChatEvent {
    match parse_message(text) {
        Ok(Message::Event(e)) => e.resp,
        other => unreachable!("an embedded frame decodes as an event: {other:?}"),
    }
}

// The frames are part of this crate and a test decodes each of them, so failing here is a bug
// of the crate, not of any input.
fn decode_all() -> Templates {
    let ChatResponse::ActiveUser(active_user) = response(ACTIVE_USER) else {
        unreachable!("activeUser-2.json is an activeUser response")
    };
    let ChatResponse::ChatCmdError(no_active_user) = response(CHAT_CMD_ERROR) else {
        unreachable!("chatCmdError-6.json is a chatCmdError response")
    };
    let ChatResponse::ContactsList(contacts_list) = response(CONTACTS_LIST) else {
        unreachable!("contactsList-1.json is a contactsList response")
    };
    let ChatResponse::NewChatItems(new_chat_items) = response(NEW_CHAT_ITEMS) else {
        unreachable!("newChatItems-5.json is a newChatItems response")
    };
    let ChatResponse::UserContactLink(user_contact_link) = response(USER_CONTACT_LINK) else {
        unreachable!("userContactLink-1.json is a userContactLink response")
    };
    let ChatEvent::ReceivedGroupInvitation(group_invitation) = event(RECEIVED_GROUP_INVITATION)
    else {
        unreachable!("receivedGroupInvitation-1.json is a receivedGroupInvitation event")
    };
    let item = match new_chat_items.chat_items.first() {
        Some(item) => (*item.chat_item).clone(),
        None => unreachable!("newChatItems-5.json has an item"),
    };
    Templates {
        user: (*user_contact_link.user).clone(),
        address: (*user_contact_link.contact_link).clone(),
        contact: (*group_invitation.contact).clone(),
        group: (*group_invitation.group_info).clone(),
        member: (*group_invitation.group_info.membership).clone(),
        item,
        active_user: *active_user,
        no_active_user: *no_active_user,
        contacts_list: *contacts_list,
        new_chat_items: *new_chat_items,
        group_invitation: *group_invitation,
        user_contact_link: *user_contact_link,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_frames_are_the_captures_byte_for_byte() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../api-types/tests/data");
        for (name, embedded) in ALL {
            let path = format!("{dir}/{name}");
            let original = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{path}: {e} (the original of frames/{name})"));
            assert!(
                original == *embedded,
                "client/src/testing/frames/{name} differs from {path}: copy it again"
            );
        }
        let mut copies: Vec<_> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/testing/frames"))
                .expect("the frames folder")
                .map(|e| {
                    e.expect("an entry")
                        .file_name()
                        .into_string()
                        .expect("UTF-8")
                })
                .collect();
        copies.sort();
        let listed: Vec<_> = ALL.iter().map(|(name, _)| name.to_string()).collect();
        assert_eq!(
            copies, listed,
            "every file in frames/ is embedded and checked"
        );
    }

    #[test]
    fn the_templates_decode() {
        let t = templates();
        assert_eq!(t.user.local_display_name, "infochat-bot");
        assert_eq!(t.contact.contact_id, 5);
        assert_eq!(t.group.group_id, 2);
        assert_eq!(t.item.meta.item_id, 66);
        assert!(t.address.conn_link_contact.conn_short_link.is_some());
    }
}
