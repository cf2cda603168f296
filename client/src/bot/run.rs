//! The runner: events read in one task, handlers run in per-chat lanes (in order within a
//! chat, concurrently across chats, with a bound), panics caught, shutdown on request.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use simplex_api_types::types::ChatInfo;
use simplex_api_types::ChatEvent;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;

use super::handlers::{Message, Routes, Update};
use super::Bot;
use crate::files::ReceiveOptions;
use crate::{Client, ClientError, Incoming};

/// Stops a running bot from any task: [`shutdown`](ShutdownHandle::shutdown). Cheap to
/// clone; get one with [`Bot::shutdown_handle`].
///
/// Stopping ends reading from the core; the handlers in flight and the messages already
/// queued for them are given up to the bot's
/// [`shutdown_timeout`](super::BotBuilder::shutdown_timeout) to finish, then what still runs is
/// cancelled, and [`Bot::run`] returns `Ok` (dropping the connection).
#[derive(Debug, Clone)]
pub struct ShutdownHandle {
    tx: Arc<watch::Sender<bool>>,
}

impl ShutdownHandle {
    pub(super) fn new() -> ShutdownHandle {
        ShutdownHandle {
            tx: Arc::new(watch::channel(false).0),
        }
    }

    /// Asks the bot to stop. Calling it again, or before [`Bot::run`] starts, is fine (a bot
    /// asked to stop before it runs stops at once).
    pub fn shutdown(&self) {
        self.tx.send_replace(true);
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    pub fn is_shutdown(&self) -> bool {
        *self.tx.borrow()
    }

    async fn stopped(&self) {
        let mut rx = self.tx.subscribe();
        // The sender lives as long as `self`, so this only ends on `true`.
        let _ = rx.wait_for(|stop| *stop).await;
    }
}

/// The chat a message belongs to: messages of one lane are handled in order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Lane {
    Direct(i64),
    Group(i64),
    OtherChats,
    Events,
}

fn lane_of(msg: &Message) -> Lane {
    match &msg.item().chat_info {
        ChatInfo::Direct(d) => Lane::Direct(d.contact.contact_id),
        ChatInfo::Group(g) => Lane::Group(g.group_info.group_id),
        _ => Lane::OtherChats,
    }
}

/// Resolves on Ctrl-C or SIGTERM; never when `enabled` is false or the handlers cannot be
/// installed. Created once per run, so a signal while handlers run is not missed.
async fn signal(enabled: bool) -> &'static str {
    if !enabled {
        return std::future::pending().await;
    }
    let ctrl_c = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "Ctrl-C",
            Err(e) => {
                tracing::warn!("cannot listen for Ctrl-C: {e}");
                std::future::pending().await
            }
        }
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = async {
            match signal(SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                    "SIGTERM"
                }
                Err(e) => {
                    tracing::warn!("cannot listen for SIGTERM: {e}");
                    std::future::pending().await
                }
            }
        };
        tokio::select! {
            name = ctrl_c => name,
            name = term => name,
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await
}

struct Dispatcher {
    client: Client,
    routes: Arc<Routes>,
    permits: Arc<Semaphore>,
    done: mpsc::UnboundedSender<Lane>,
    lanes: HashMap<Lane, (mpsc::UnboundedSender<Update>, usize)>,
    workers: JoinSet<()>,
    queued: usize,
    log_contacts: bool,
    accept_files: Option<Arc<ReceiveOptions>>,
}

impl Dispatcher {
    fn send(&mut self, lane: Lane, update: Update) {
        self.queued += 1;
        let entry = match self.lanes.remove(&lane) {
            Some(entry) => entry,
            None => (self.spawn_worker(lane.clone()), 0),
        };
        // The worker holds its receiver until this sender is dropped, which happens only
        // when its lane is empty (in `finished`): a failed send means the worker is gone
        // (it cannot panic, handlers are caught, but it is cheap to be sure). Its lost
        // messages no longer count, and a new worker takes this one.
        let (tx, count) = match entry.0.send(update) {
            Ok(()) => (entry.0, entry.1 + 1),
            Err(mpsc::error::SendError(update)) => {
                tracing::error!("the worker of {lane:?} ended: starting another");
                self.queued = self.queued.saturating_sub(entry.1);
                let tx = self.spawn_worker(lane.clone());
                let _ = tx.send(update);
                (tx, 1)
            }
        };
        self.lanes.insert(lane, (tx, count));
    }

    fn spawn_worker(&mut self, lane: Lane) -> mpsc::UnboundedSender<Update> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.workers.spawn(worker(
            lane,
            rx,
            Arc::clone(&self.routes),
            Arc::clone(&self.permits),
            self.done.clone(),
            self.accept_files.clone(),
        ));
        tx
    }

    fn finished(&mut self, lane: Lane) {
        self.queued = self.queued.saturating_sub(1);
        if let Some(entry) = self.lanes.get_mut(&lane) {
            entry.1 = entry.1.saturating_sub(1);
            if entry.1 == 0 {
                self.lanes.remove(&lane);
            }
        }
    }

    fn incoming(&mut self, item: Incoming) {
        let event = match item {
            Incoming::Event(event) => event.resp,
            Incoming::Unmatched(resp) => {
                tracing::debug!("a response nobody waits for: {:?}", resp.resp.tag());
                return;
            }
            other => {
                tracing::debug!("skipping {other:?}");
                return;
            }
        };
        if self.log_contacts {
            match &event {
                ChatEvent::ContactConnected(e) => {
                    tracing::info!("{} connected", e.contact.profile.display_name)
                }
                ChatEvent::ContactDeletedByContact(e) => tracing::info!(
                    "{} deleted the connection with the bot",
                    e.contact.profile.display_name
                ),
                _ => {}
            }
        }
        if self.routes.wants_event(event.tag()) {
            if let ChatEvent::NewChatItems(_) = &event {
                let update = Update::Event(self.client.clone(), Box::new(event.clone()));
                self.send(Lane::Events, update);
            } else {
                let update = Update::Event(self.client.clone(), Box::new(event));
                self.send(Lane::Events, update);
                return;
            }
        }
        let ChatEvent::NewChatItems(items) = event else {
            return;
        };
        for item in items.chat_items {
            if !item.is_incoming() || item.chat_item.content.msg_content().is_none() {
                continue;
            }
            let msg = Message::new(self.client.clone(), item);
            self.send(lane_of(&msg), Update::Message(msg));
        }
    }
}

async fn worker(
    lane: Lane,
    mut rx: mpsc::UnboundedReceiver<Update>,
    routes: Arc<Routes>,
    permits: Arc<Semaphore>,
    done: mpsc::UnboundedSender<Lane>,
    accept_files: Option<Arc<ReceiveOptions>>,
) {
    while let Some(mut update) = rx.recv().await {
        let what = describe(&update);
        let permit = permits.acquire().await;
        if let (Update::Message(msg), Some(options)) = (&mut update, &accept_files) {
            msg.download(options).await;
        }
        let routes = &routes;
        let run = AssertUnwindSafe(async move { routes.dispatch_from(0, update).await });
        let result = run.catch_unwind().await;
        drop(permit);
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("the handler of {what} failed: {e}"),
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                tracing::error!("the handler of {what} panicked: {reason}");
            }
        }
        let _ = done.send(lane.clone());
    }
}

fn describe(update: &Update) -> String {
    match update {
        Update::Message(m) => format!("message {}", m.item_id()),
        Update::Event(_, e) => format!("event {}", e.tag().unwrap_or("(undocumented)")),
    }
}

pub(super) async fn run(bot: Bot) -> Result<(), ClientError> {
    let Bot {
        client,
        mut events,
        routes,
        shutdown,
        settings,
        url,
        ..
    } = bot;
    let (done, mut done_rx) = mpsc::unbounded_channel();
    let mut d = Dispatcher {
        client,
        routes: Arc::new(routes),
        permits: Arc::new(Semaphore::new(settings.max_in_flight)),
        done,
        lanes: HashMap::new(),
        workers: JoinSet::new(),
        queued: 0,
        log_contacts: settings.log_contacts,
        accept_files: settings.accept_files.clone().map(Arc::new),
    };
    let signal = signal(settings.handle_signals);
    tokio::pin!(signal);
    let stopped = shutdown.stopped();
    tokio::pin!(stopped);
    let reason = loop {
        tokio::select! {
            biased;
            name = &mut signal => break name,
            () = &mut stopped => break "shutdown requested",
            Some(lane) = done_rx.recv() => d.finished(lane),
            Some(_) = d.workers.join_next(), if !d.workers.is_empty() => {}
            next = events.next_event(), if d.queued < settings.max_queued => match next {
                Some(item) => d.incoming(item),
                None => {
                    let Some(backoff) = settings.reconnect else {
                        break "the core closed the connection";
                    };
                    tracing::warn!("the connection to the core ended: connecting again");
                    let again = async {
                        let mut attempt = 0;
                        loop {
                            tokio::time::sleep(backoff.pause(attempt)).await;
                            match settings.set_up(&url).await {
                                Ok(set_up) => return set_up,
                                Err(e) => tracing::warn!(
                                    "connecting again to {url} failed (attempt {}): {e}",
                                    attempt + 1
                                ),
                            }
                            attempt = attempt.saturating_add(1);
                        }
                    };
                    tokio::select! {
                        biased;
                        name = &mut signal => break name,
                        () = &mut stopped => break "shutdown requested",
                        set_up = again => {
                            tracing::info!("connected again to {url}");
                            d.client = set_up.client;
                            events = set_up.events;
                        }
                    }
                }
            },
        }
    };
    tracing::info!("stopping: {reason}");
    drain(d, settings.shutdown_timeout).await;
    Ok(())
}

/// Lets the workers finish what they have (their senders dropped, they end when their queue
/// is empty), for at most `timeout`; then cancels them.
async fn drain(mut d: Dispatcher, timeout: Duration) {
    d.lanes.clear();
    let mut workers = std::mem::take(&mut d.workers);
    let all = async { while workers.join_next().await.is_some() {} };
    if tokio::time::timeout(timeout, all).await.is_err() {
        tracing::warn!(
            "{} chats still had handlers running after {timeout:?}: cancelling them",
            workers.len()
        );
        workers.shutdown().await;
    }
}
