//! What can go wrong with a command or a connection.

use std::time::Duration;

use simplex_api_types::{ChatResponse, CommandError, DecodeError, ResponseError};
use tokio_tungstenite::tungstenite;

/// Why a command got no response, or why connecting failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The command could not be rendered; nothing was sent.
    #[error("the command was not sent: {0}")]
    Render(#[from] CommandError),
    /// The connection is closed (the core closed it, or reading or writing failed), so the
    /// command got no response. Connect again to go on.
    #[error("the connection to the chat core is closed: the command got no response")]
    Disconnected,
    /// The response to the command arrived but does not decode (a known field of the wrong
    /// type, for example): the frame as received, and what is wrong.
    #[error("the response to the command does not decode: {error}")]
    Decode {
        /// The frame as received.
        text: String,
        /// What is wrong, and where.
        error: Box<DecodeError>,
    },
    /// No response arrived within this time. The command may still be carried out by the core;
    /// its late response is delivered as [`Incoming::Unmatched`](crate::Incoming::Unmatched).
    #[error("no response from the chat core within {0:?}")]
    Timeout(Duration),
    /// The core answered with an error (or a response the command does not expect); its
    /// `Display` names the innermost error.
    #[error("{0}")]
    Response(#[from] Box<ResponseError<ChatResponse>>),
    /// A reply to a message in a chat that cannot be sent to (a local notes folder, a
    /// contact request, an undocumented chat): its type, as the core names it.
    #[error("cannot reply in a chat of type {0:?}")]
    CannotReply(String),
    /// Connecting failed: the address is not a `ws://` URL, nothing listens there, or the
    /// WebSocket handshake failed.
    #[error("cannot connect to the chat core: {0}")]
    WebSocket(#[source] Box<tungstenite::Error>),
    /// Loading libsimplex or opening its chat failed (the in-process core, `ffi`).
    #[cfg(feature = "ffi")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ffi")))]
    #[error("{0}")]
    Library(#[source] Box<crate::ffi::FfiError>),
}

#[cfg(feature = "ffi")]
impl From<crate::ffi::FfiError> for ClientError {
    fn from(e: crate::ffi::FfiError) -> Self {
        ClientError::Library(Box::new(e))
    }
}

impl From<tungstenite::Error> for ClientError {
    fn from(e: tungstenite::Error) -> Self {
        ClientError::WebSocket(Box::new(e))
    }
}

impl From<ResponseError<ChatResponse>> for ClientError {
    fn from(e: ResponseError<ChatResponse>) -> Self {
        ClientError::Response(Box::new(e))
    }
}
