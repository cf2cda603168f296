//! Events by type: which [`ChatEvent`] variant each event struct is.

use simplex_api_types::events;
use simplex_api_types::ChatEvent;

/// An event struct of [`simplex_api_types::events`] that a [`ChatEvent`] may hold: what
/// [`Bot::on_event`](super::Bot::on_event) handlers take.
pub trait FromEvent: Sized + Send + 'static {
    /// The event's tag (`"contactConnected"`).
    const TAG: &'static str;
    /// The event, when `event` is one; otherwise `event` back.
    fn from_event(event: ChatEvent) -> Result<Self, ChatEvent>;
}

macro_rules! from_event {
    ($( $variant:ident = $tag:literal, )*) => {
        $(
            impl FromEvent for events::$variant {
                const TAG: &'static str = $tag;
                fn from_event(event: ChatEvent) -> Result<Self, ChatEvent> {
                    match event {
                        ChatEvent::$variant(e) => Ok(*e),
                        other => Err(other),
                    }
                }
            }
        )*

        /// Every tag of the list, for the test below.
        #[cfg(test)]
        const TAGS: &[&str] = &[$($tag,)*];

        /// Each variant is read back by its struct, and has the tag named beside it.
        #[cfg(test)]
        #[test]
        fn each_event_struct_takes_its_variant_and_tag() {
            $(
                let event = ChatEvent::$variant(Default::default());
                assert_eq!(event.tag(), Some($tag));
                assert!(events::$variant::from_event(event).is_ok(), $tag);
                assert!(events::$variant::from_event(ChatEvent::Undocumented(Default::default())).is_err());
            )*
        }
    };
}

from_event! {
    ContactConnected = "contactConnected",
    ContactUpdated = "contactUpdated",
    ContactDeletedByContact = "contactDeletedByContact",
    ReceivedContactRequest = "receivedContactRequest",
    NewMemberContactReceivedInv = "newMemberContactReceivedInv",
    ContactSndReady = "contactSndReady",
    NewChatItems = "newChatItems",
    ChatItemReaction = "chatItemReaction",
    ChatItemsDeleted = "chatItemsDeleted",
    ChatItemUpdated = "chatItemUpdated",
    GroupChatItemsDeleted = "groupChatItemsDeleted",
    ChatItemsStatusesUpdated = "chatItemsStatusesUpdated",
    ReceivedGroupInvitation = "receivedGroupInvitation",
    UserJoinedGroup = "userJoinedGroup",
    GroupUpdated = "groupUpdated",
    JoinedGroupMember = "joinedGroupMember",
    MemberRole = "memberRole",
    DeletedMember = "deletedMember",
    LeftMember = "leftMember",
    DeletedMemberUser = "deletedMemberUser",
    GroupDeleted = "groupDeleted",
    ConnectedToGroupMember = "connectedToGroupMember",
    MemberAcceptedByOther = "memberAcceptedByOther",
    MemberBlockedForAll = "memberBlockedForAll",
    GroupMemberUpdated = "groupMemberUpdated",
    GroupLinkDataUpdated = "groupLinkDataUpdated",
    GroupRelayUpdated = "groupRelayUpdated",
    RcvFileDescrReady = "rcvFileDescrReady",
    RcvFileComplete = "rcvFileComplete",
    SndFileCompleteXftp = "sndFileCompleteXFTP",
    RcvFileStart = "rcvFileStart",
    RcvFileSndCancelled = "rcvFileSndCancelled",
    RcvFileAccepted = "rcvFileAccepted",
    RcvFileError = "rcvFileError",
    RcvFileWarning = "rcvFileWarning",
    SndFileError = "sndFileError",
    SndFileWarning = "sndFileWarning",
    AcceptingContactRequest = "acceptingContactRequest",
    AcceptingBusinessRequest = "acceptingBusinessRequest",
    ContactConnecting = "contactConnecting",
    BusinessLinkConnecting = "businessLinkConnecting",
    JoinedGroupMemberConnecting = "joinedGroupMemberConnecting",
    SentGroupInvitation = "sentGroupInvitation",
    GroupLinkConnecting = "groupLinkConnecting",
    HostConnected = "hostConnected",
    HostDisconnected = "hostDisconnected",
    SubscriptionStatus = "subscriptionStatus",
    ServiceRequest = "serviceRequest",
    ServiceReplySent = "serviceReplySent",
    MessageError = "messageError",
    ChatError = "chatError",
    ChatErrors = "chatErrors",
}

/// The list above names every variant of the generated `ChatEvent`: a new event in the docs
/// fails here until it is added. The generated source is read from the workspace at run time
/// (a packaged crate has no `api-types` beside it, and then the test says so and passes).
#[cfg(test)]
#[test]
fn the_list_covers_every_generated_event() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../api-types/src/generated/events.rs"
    );
    let Ok(generated) = std::fs::read_to_string(path) else {
        println!("skipped: {path} is not here (not in the workspace)");
        return;
    };
    let start = generated.find("pub enum ChatEvent {").expect("ChatEvent");
    let body = &generated[start..];
    let body = &body[..body.find("\n    }").expect("its end")];
    let tags: Vec<&str> = body
        .lines()
        .filter_map(|l| l.trim().strip_prefix('"'))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert!(!tags.is_empty());
    let missing: Vec<_> = tags.iter().filter(|t| !TAGS.contains(t)).collect();
    assert!(
        missing.is_empty(),
        "events without a FromEvent impl: {missing:?}"
    );
    assert_eq!(tags.len(), TAGS.len());
}
