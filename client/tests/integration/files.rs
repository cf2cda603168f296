//! Files through the client (`simplex_api_client::files`) against the test core: receiving
//! one and waiting until it is complete, many at once in any order, every way a transfer can
//! fail, and sending files and waiting for their upload. Every file event is still delivered
//! on the events stream.

use std::time::Duration;

use simplex_api_client::files::{FileError, ReceiveOptions};
use simplex_api_client::testing::{TestCore, Transfer};
use simplex_api_client::{connect, Client, Events, Incoming};
use simplex_api_types::commands::{ApiSendMessages, ReceiveFile};
use simplex_api_types::types::{ChatRef, CiFile, ComposedMessage};
use simplex_api_types::ChatEvent;

use crate::support::within;

async fn client(core: &TestCore) -> (Client, Events) {
    connect(core.url()).await.expect("connects")
}

/// Reads events until the message offering file `file_id`, and returns its file.
async fn offered(events: &mut Events, file_id: i64) -> CiFile {
    loop {
        match events.next_event().await {
            Some(Incoming::Event(e)) => {
                if let ChatEvent::NewChatItems(items) = e.resp {
                    let file = items
                        .chat_items
                        .iter()
                        .find_map(|i| i.file().filter(|f| f.file_id == file_id).cloned());
                    if let Some(file) = file {
                        return file;
                    }
                }
            }
            Some(_) => {}
            None => panic!("the events ended before file {file_id} was offered"),
        }
    }
}

/// Reads events until one ends the transfer of `file_id`; returns its tag.
async fn file_event(events: &mut Events, file_id: i64) -> String {
    loop {
        let Some(Incoming::Event(e)) = events.next_event().await else {
            panic!("the events ended before an event of file {file_id}");
        };
        let id = match &e.resp {
            ChatEvent::RcvFileComplete(e) => e.chat_item.file().map(|f| f.file_id),
            ChatEvent::RcvFileError(e) => Some(e.rcv_file_transfer.file_id),
            ChatEvent::RcvFileSndCancelled(e) => Some(e.rcv_file_transfer.file_id),
            ChatEvent::SndFileCompleteXftp(e) => Some(e.file_transfer_meta.file_id),
            ChatEvent::SndFileError(e) => Some(e.file_transfer_meta.file_id),
            _ => None,
        };
        if id == Some(file_id) {
            return e.resp.tag().unwrap_or_default().to_owned();
        }
    }
}

/// A test core, a client on it, and a file `name` that contact alice offers, its transfer
/// going as `transfer` says.
async fn offer(name: &str, bytes: &[u8], transfer: Transfer) -> (TestCore, Client, Events, CiFile) {
    let core = TestCore::start().await;
    let (client, mut events) = client(&core).await;
    let id = core
        .contact("alice")
        .sends_file_with(name, bytes.to_vec(), transfer)
        .await;
    let file = offered(&mut events, id).await;
    (core, client, events, file)
}

fn short() -> ReceiveOptions {
    ReceiveOptions::new().timeout(Duration::from_secs(10))
}

#[tokio::test]
async fn files_received_at_once_each_resolve_with_their_own_file_in_any_order() {
    within(async {
        let core = TestCore::start().await;
        let (client, mut events) = client(&core).await;
        let alice = core.contact("alice");
        // The first one ends last: its transfer stalls until the test completes it.
        let slow = alice
            .sends_file_with("slow.txt", b"slow".to_vec(), Transfer::Stalls)
            .await;
        let mut ids = vec![slow];
        for i in 0..20 {
            ids.push(
                alice
                    .sends_file(&format!("f{i}.txt"), vec![b'a' + i as u8; i + 1])
                    .await,
            );
        }
        let mut files = Vec::new();
        for id in &ids {
            files.push(offered(&mut events, *id).await);
        }
        let options = short();
        let receiving = files.iter().map(|f| client.receive_file(f, &options));
        let all = futures_util::future::join_all(receiving);
        tokio::pin!(all);
        // Every other file completes while the slow one still waits.
        assert!(
            tokio::time::timeout(Duration::from_millis(300), &mut all)
                .await
                .is_err(),
            "the stalled file is still waited for"
        );
        assert!(core.completes_file(slow).await);
        let results = all.await;
        for (i, (file, result)) in files.iter().zip(results).enumerate() {
            let got = result.unwrap_or_else(|e| panic!("{}: {e}", file.file_name));
            assert_eq!(got.file_id(), file.file_id);
            assert_eq!(got.name(), file.file_name);
            let want = if i == 0 {
                b"slow".to_vec()
            } else {
                vec![b'a' + (i - 1) as u8; i]
            };
            assert_eq!(got.read().expect("readable"), want, "{}", file.file_name);
        }
        // Each completion is an event too (in the order they came: the slow one last).
        for id in ids[1..].iter().chain([&slow]) {
            assert_eq!(file_event(&mut events, *id).await, "rcvFileComplete");
        }
    })
    .await
}

#[tokio::test]
async fn a_transfer_that_fails_or_that_the_sender_cancels_fails_with_what_the_core_said() {
    within(async {
        let core = TestCore::start().await;
        let (client, mut events) = client(&core).await;
        let alice = core.contact("alice");
        let failing = alice
            .sends_file_with("a.txt", b"a".to_vec(), Transfer::Fails)
            .await;
        let cancelled = alice
            .sends_file_with("b.txt", b"b".to_vec(), Transfer::SenderCancels)
            .await;
        let failing_file = offered(&mut events, failing).await;
        let cancelled_file = offered(&mut events, cancelled).await;

        let e = client
            .receive_file(&failing_file, &short())
            .await
            .expect_err("the transfer fails");
        assert!(
            matches!(&e, FileError::Receive { file_id, .. } if *file_id == failing),
            "{e:?}"
        );
        assert!(e.to_string().contains("NO_FILE"), "{e}");

        let e = client
            .receive_file(&cancelled_file, &short())
            .await
            .expect_err("the sender cancels");
        assert!(
            matches!(e, FileError::SenderCancelled { file_id } if file_id == cancelled),
            "{e:?}"
        );
        assert_eq!(file_event(&mut events, failing).await, "rcvFileError");
        assert_eq!(
            file_event(&mut events, cancelled).await,
            "rcvFileSndCancelled"
        );

        // The core refuses a second receive of the cancelled file: the refusal is the error.
        let e = client
            .receive_file(&cancelled_file, &short())
            .await
            .expect_err("refused");
        assert!(matches!(e, FileError::Command { .. }), "{e:?}");
        assert!(e.to_string().contains("fileCancelled"), "{e}");
    })
    .await
}

#[tokio::test]
async fn a_stalled_transfer_times_out_and_its_late_completion_is_an_ordinary_event() {
    within(async {
        let (core, client, mut events, file) = offer("late.txt", b"late", Transfer::Stalls).await;
        let id = file.file_id;
        let options = ReceiveOptions::new().timeout(Duration::from_millis(200));
        let e = client
            .receive_file(&file, &options)
            .await
            .expect_err("times out");
        assert!(
            matches!(e, FileError::Timeout { file_id, .. } if file_id == id),
            "{e:?}"
        );
        // Nobody waits for it any more: the completion is just delivered.
        assert!(core.completes_file(id).await);
        assert_eq!(file_event(&mut events, id).await, "rcvFileComplete");
        // And the client goes on.
        let next = core
            .contact("alice")
            .sends_file("next.txt", b"next".to_vec())
            .await;
        let next_file = offered(&mut events, next).await;
        let got = client
            .receive_file(&next_file, &short())
            .await
            .expect("received");
        assert_eq!(got.read().expect("readable"), b"next");
    })
    .await
}

#[tokio::test]
async fn cancelling_a_file_fails_its_waiter_and_a_completion_after_that_is_only_an_event() {
    within(async {
        let (core, client, mut events, file) = offer("big.bin", &[7; 1000], Transfer::Stalls).await;
        let id = file.file_id;
        let waiting = {
            let client = client.clone();
            tokio::spawn(async move { client.receive_file(&file, &short()).await })
        };
        core.next_command::<ReceiveFile>().await;
        client.cancel_file(id).await.expect("cancelled");
        let e = waiting.await.expect("joined").expect_err("cancelled");
        assert!(
            matches!(e, FileError::Cancelled { file_id } if file_id == id),
            "{e:?}"
        );
        assert!(core.completes_file(id).await);
        assert_eq!(file_event(&mut events, id).await, "rcvFileComplete");
    })
    .await
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_before_anything_is_sent() {
    within(async {
        let core = TestCore::start().await;
        let (client, mut events) = client(&core).await;
        let id = core.contact("alice").sends_file("x.bin", vec![0; 11]).await;
        let file = offered(&mut events, id).await;
        let e = client
            .receive_file(&file, &short().max_size(10))
            .await
            .expect_err("too large");
        assert!(
            matches!(
                &e,
                FileError::TooLarge {
                    size: 11,
                    limit: 10,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("x.bin"), "{e}");
        assert!(core
            .try_next_command::<ReceiveFile>(Duration::from_millis(200))
            .await
            .is_none());
        // At the limit it is taken, stored where the options say.
        let dir = tempfile::tempdir().expect("a folder");
        let path = dir.path().join("kept.bin");
        let options = short()
            .max_size(11)
            .path(path.to_string_lossy().into_owned());
        let got = client
            .receive_file(&file, &options)
            .await
            .expect("received");
        assert_eq!(got.path(), Some(path.as_path()));
        assert_eq!(std::fs::read(&path).expect("stored"), vec![0; 11]);
        let sent = core.next_command::<ReceiveFile>().await;
        assert_eq!(sent.file_path.as_deref(), path.to_str());
    })
    .await
}

#[tokio::test]
async fn a_completed_file_at_a_path_that_does_not_exist_fails_to_read_naming_it() {
    within(async {
        let (_core, client, _events, file) = offer("gone.txt", b"gone", Transfer::Vanishes).await;
        let got = client
            .receive_file(&file, &short())
            .await
            .expect("complete");
        let path = got.path().expect("a path").to_owned();
        let e = got.read().expect_err("nothing there");
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}");
    })
    .await
}

#[tokio::test]
async fn the_connection_closing_fails_a_waiting_receive() {
    within(async {
        let (core, client, _events, file) = offer("s.txt", b"s", Transfer::Stalls).await;
        let id = file.file_id;
        let waiting = {
            let client = client.clone();
            tokio::spawn(async move { client.receive_file(&file, &short()).await })
        };
        core.next_command::<ReceiveFile>().await;
        core.drop_connections().await;
        let e = waiting.await.expect("joined").expect_err("disconnected");
        assert!(
            matches!(e, FileError::Disconnected { file_id } if file_id == id),
            "{e:?}"
        );
    })
    .await
}

#[tokio::test]
async fn sending_files_waits_for_every_upload_and_reports_a_failed_one() {
    within(async {
        let core = TestCore::start().await;
        let (client, mut events) = client(&core).await;
        let alice = core.contact("alice").connects().await;
        let dir = tempfile::tempdir().expect("a folder");
        let a = dir.path().join("a.txt");
        let b = dir.path().join("b.txt");
        std::fs::write(&a, b"A").expect("written");
        std::fs::write(&b, b"BB").expect("written");
        let send = ApiSendMessages::new(
            ChatRef::direct(alice),
            vec![
                ComposedMessage::file(a.to_string_lossy(), "first"),
                ComposedMessage::file(b.to_string_lossy(), "second"),
            ],
        );
        // The uploads complete right after the answer: the client keeps what arrives
        // before it has read the answer.
        let items = client
            .send_with_files(&send, Duration::from_secs(10))
            .await
            .expect("uploaded");
        assert_eq!(items.len(), 2);
        let names: Vec<_> = items
            .iter()
            .filter_map(|i| i.file().map(|f| f.file_name.clone()))
            .collect();
        assert_eq!(names, ["a.txt", "b.txt"]);
        for item in &items {
            let id = item.file().expect("a file").file_id;
            assert_eq!(file_event(&mut events, id).await, "sndFileCompleteXFTP");
        }

        core.set_uploads(Transfer::Fails);
        let e = client
            .send_with_files(&send, Duration::from_secs(10))
            .await
            .expect_err("the upload fails");
        assert!(matches!(e, FileError::Send { .. }), "{e:?}");
        assert!(e.to_string().contains("refused"), "{e}");

        core.set_uploads(Transfer::Stalls);
        let e = client
            .send_with_files(&send, Duration::from_millis(200))
            .await
            .expect_err("times out");
        assert!(matches!(e, FileError::Timeout { .. }), "{e:?}");
    })
    .await
}

/// A bot that answers `/picture` with an image (its preview made from the image) and waits
/// for the upload, and answers any file with its size: the contact gets the image with a
/// JPEG preview under the apps' limit and the file's bytes.
#[tokio::test]
async fn a_bot_replies_with_an_image_and_reads_the_files_it_is_sent() {
    use simplex_api_client::bot::{Bot, HandlerResult};
    use simplex_api_types::types::MsgContent;

    within(async {
        let dir = tempfile::tempdir().expect("a folder");
        let picture = dir.path().join("picture.png");
        let pixels = image::RgbImage::from_fn(300, 200, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8])
        });
        pixels.save(&picture).expect("saved");
        let png = std::fs::read(&picture).expect("read");

        let core = TestCore::start().await;
        let bot = Bot::builder()
            .accept_files_up_to(1000)
            .start(core.url())
            .await
            .expect("starts");
        let path = picture.clone();
        tokio::spawn(
            bot.on_command("picture", move |msg| {
                let path = path.clone();
                async move {
                    let image = simplex_api_client::media::image_message(&path, "a picture")?;
                    msg.reply_with_upload(image, Duration::from_secs(10))
                        .await?;
                    msg.reply("uploaded").await?;
                    HandlerResult::Ok(())
                }
            })
            .on_message(|msg| async move {
                let text = match msg.received_file() {
                    Some(Ok(file)) => format!("{} bytes", file.read()?.len()),
                    Some(Err(e)) => e.to_string(),
                    None => "no file".to_owned(),
                };
                msg.reply(text).await?;
                HandlerResult::Ok(())
            })
            .run(),
        );

        let alice = core.contact("alice");
        alice.sends_text("/picture").await;
        let got = alice.next_received().await;
        let MsgContent::Image(image) = &got.content else {
            panic!("{:?}", got.content)
        };
        assert_eq!(image.text, "a picture");
        assert!(image.image.starts_with("data:image/jpg;base64,"));
        assert!(image.image.len() <= simplex_api_client::media::MAX_PREVIEW_LEN);
        let file = got.file.expect("the image file");
        assert_eq!(file.name, "picture.png");
        assert_eq!(file.bytes.as_deref(), Some(&png[..]));
        assert_eq!(alice.next_message().await, "uploaded");

        alice.sends_file("small.bin", vec![1; 1000]).await;
        assert_eq!(alice.next_message().await, "1000 bytes");
        alice.sends_file("large.bin", vec![1; 1001]).await;
        let refusal = alice.next_message().await;
        assert!(
            refusal.contains("1001 bytes, more than the limit of 1000"),
            "{refusal}"
        );
        alice
            .sends_file_with("broken.bin", vec![1; 10], Transfer::Fails)
            .await;
        let failure = alice.next_message().await;
        assert!(failure.contains("receiving failed"), "{failure}");
    })
    .await
}

/// A file received with `encrypt(true)` is stored encrypted in the core's format (its bytes
/// on disk are not the plaintext, and they are the plaintext's length plus the 16-byte tag);
/// `read` decrypts it with the key the core reported; with a wrong key reading fails with an
/// authentication error and returns nothing.
#[tokio::test]
async fn a_file_stored_encrypted_reads_back_decrypted_and_a_wrong_key_fails() {
    use simplex_api_client::crypto_file::{self, CryptoFileError, FileKey};

    within(async {
        let core = TestCore::start().await;
        let (client, mut events) = client(&core).await;
        let secret = b"the plaintext of a secret file".to_vec();
        let id = core
            .contact("alice")
            .sends_file("s.txt", secret.clone())
            .await;
        let file = offered(&mut events, id).await;
        let got = client
            .receive_file(&file, &short().encrypt(true))
            .await
            .expect("received");
        let sent = core.next_command::<ReceiveFile>().await;
        assert_eq!(sent.store_encrypted, Some(true));
        let args = got.crypto_args().expect("the key and nonce").clone();
        let path = got.path().expect("a path").to_owned();
        let on_disk = std::fs::read(&path).expect("stored");
        assert_eq!(on_disk.len(), secret.len() + 16);
        assert!(!on_disk
            .windows(10)
            .any(|w| secret.windows(10).any(|s| s == w)));
        assert_eq!(got.read().expect("decrypted"), secret);

        let wrong = FileKey::generate().expect("a key");
        let e = crypto_file::read(&path, &wrong).expect_err("wrong key");
        assert!(matches!(e, CryptoFileError::Authentication { .. }), "{e:?}");
        assert!(e.to_string().contains("authentication failed"), "{e}");
        // The right key from the JSON the core sent.
        let key = FileKey::from_args(&args).expect("a valid key");
        assert_eq!(crypto_file::read(&path, &key).expect("decrypted"), secret);
    })
    .await
}
