//! Connection settings.

use std::time::Duration;

/// Settings for [`connect_with`](crate::connect_with).
///
/// Start from [`Config::default`] and change what you need, either with the `with_*` methods or
/// by assigning the public fields:
///
/// ```
/// use std::time::Duration;
/// use simplex_api_client::Config;
///
/// let config = Config::default()
///     .with_timeout(Duration::from_secs(10))
///     .with_event_capacity(256);
/// assert_eq!(config.timeout, Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// How long [`Client::send`](crate::Client::send) and
    /// [`Client::send_raw`](crate::Client::send_raw) wait for the response, counted from the
    /// call (so it includes waiting for the socket to take the command). Default: 60 s.
    ///
    /// A response that arrives after its command timed out is not lost: it is delivered on the
    /// [`Events`](crate::Events) stream as [`Incoming::Unmatched`](crate::Incoming::Unmatched).
    pub timeout: Duration,
    /// How many received items (events, unmatched responses, undecodable frames) the
    /// [`Events`](crate::Events) channel holds before the connection waits for the bot to read
    /// them. Default: 1024. A value of 0 is taken as 1.
    ///
    /// See the crate docs, "Back-pressure", for what happens when it is full.
    pub event_capacity: usize,
    /// The largest WebSocket message accepted from the core, in bytes. Default: 64 MiB.
    ///
    /// A larger message ends the connection (the WebSocket library cannot skip it), so this is
    /// set well above the largest messages the core sends (a chat item list with long texts can
    /// take several megabytes).
    pub max_message_size: usize,
    /// The largest single WebSocket frame accepted from the core, in bytes. Default: 64 MiB (the
    /// core sends each message as one frame, so this matches
    /// [`max_message_size`](Config::max_message_size)).
    pub max_frame_size: usize,
}

/// 64 MiB.
const DEFAULT_MAX_SIZE: usize = 64 << 20;

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Duration::from_secs(60),
            event_capacity: 1024,
            max_message_size: DEFAULT_MAX_SIZE,
            max_frame_size: DEFAULT_MAX_SIZE,
        }
    }
}

impl Config {
    /// Sets [`timeout`](Config::timeout).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`event_capacity`](Config::event_capacity).
    pub fn with_event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity;
        self
    }

    /// Sets [`max_message_size`](Config::max_message_size).
    pub fn with_max_message_size(mut self, bytes: usize) -> Self {
        self.max_message_size = bytes;
        self
    }

    /// Sets [`max_frame_size`](Config::max_frame_size).
    pub fn with_max_frame_size(mut self, bytes: usize) -> Self {
        self.max_frame_size = bytes;
        self
    }
}
