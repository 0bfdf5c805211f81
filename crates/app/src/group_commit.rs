//! Group commit: requests that write within moments of each other (class teachers at 8:00,
//! pupils of a screening round in the computer room) hand their work to one writer, which takes
//! whatever has arrived and saves it in one transaction, so a burst costs a handful of statements
//! instead of a transaction per request queueing on the database's write lock.

use tokio::sync::{mpsc, oneshot};

/// Yields without a new job before a batch is closed.
const LINGER_YIELDS: usize = 3;

/// What a desk's queue carries: a job, or a request to be told once every job handed in before
/// it is done.
pub enum Msg<J> {
    Job(Box<J>),
    Settle(oneshot::Sender<()>),
}

/// The next batch of at most `max` jobs and the settle requests that came with it; `None` once
/// every sender is gone. Keeps taking while jobs keep arriving: a yield lets the requests already
/// running hand theirs in, so a burst becomes one batch rather than a lone first job followed by
/// the rest.
pub async fn gather<J>(rx: &mut mpsc::Receiver<Msg<J>>, max: usize) -> Option<(Vec<J>, Vec<oneshot::Sender<()>>)> {
    let first = rx.recv().await?;
    let mut batch = Vec::new();
    let mut settles = Vec::new();
    let mut next = Some(first);
    let mut quiet = 0;
    loop {
        match next.take() {
            Some(Msg::Job(job)) => {
                batch.push(*job);
                quiet = 0;
            }
            Some(Msg::Settle(tx)) => settles.push(tx),
            None => {
                quiet += 1;
                tokio::task::yield_now().await;
            }
        }
        if batch.len() >= max || quiet >= LINGER_YIELDS {
            break;
        }
        next = rx.try_recv().ok();
    }
    Some((batch, settles))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_burst_becomes_one_batch_up_to_the_limit() {
        let (tx, mut rx) = mpsc::channel(100);
        for i in 0..7 {
            tx.send(Msg::Job(Box::new(i))).await.expect("send");
        }
        let (s, _r) = oneshot::channel();
        tx.send(Msg::Settle(s)).await.expect("send");
        let (batch, settles) = gather(&mut rx, 5).await.expect("batch");
        assert_eq!((batch, settles.len()), (vec![0, 1, 2, 3, 4], 0));
        let (batch, settles) = gather(&mut rx, 5).await.expect("batch");
        assert_eq!((batch, settles.len()), (vec![5, 6], 1));
        drop(tx);
        assert!(gather(&mut rx, 5).await.is_none());
    }
}
