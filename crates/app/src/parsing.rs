//! Uploaded files are read off the async workers, on a bounded pool of blocking workers, one file
//! per user at a time: two million-row uploads at once must not stall logins or `/healthz`.

use eduq_exchange::{Table, read_table};
use tokio::sync::{Mutex, Semaphore};

use crate::AppError;

/// Files read at once; the rest wait their turn (排队中).
pub const PARSE_WORKERS: usize = 2;

static POOL: Semaphore = Semaphore::const_new(PARSE_WORKERS);
/// One lock per user (striped): a user's second file waits for the first.
static USERS: [Mutex<()>; 64] = [const { Mutex::const_new(()) }; 64];

/// Whether a file handed in now would wait for a worker.
pub fn queued() -> bool {
    POOL.available_permits() == 0
}

/// Reads an upload as a table on the blocking pool, after the same user's previous file. The
/// system actor (user 0: the command line, the demo seeder) is not one person and does not wait
/// for itself.
pub async fn read_upload(user_id: i64, bytes: &[u8], file_name: &str) -> Result<Table, AppError> {
    let _user = match user_id {
        0 => None,
        id => Some(USERS[id.unsigned_abs() as usize % USERS.len()].lock().await),
    };
    let _permit = POOL.acquire().await.map_err(|_| AppError::Invalid("系统正在关闭，请稍后再试".into()))?;
    let (bytes, name) = (bytes.to_vec(), file_name.to_string());
    tokio::task::spawn_blocking(move || read_table(&bytes, &name))
        .await
        .map_err(|e| AppError::Invalid(format!("读取文件失败：{e}")))?
        .map_err(AppError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_read_off_the_async_workers_in_turn() {
        let big = format!("学籍号,姓名\n{}", "G1,张三\n".repeat(200_000));
        let (a, b, c) = tokio::join!(
            read_upload(7, big.as_bytes(), "a.csv"),
            read_upload(7, b"x,y\n1,2\n", "b.csv"),
            read_upload(8, b"x,y\n1,2\n", "c.csv")
        );
        assert_eq!(a.expect("first").rows.len(), 200_000);
        assert_eq!(b.expect("the same user's second file, after the first").rows.len(), 1);
        assert_eq!(c.expect("another user").rows.len(), 1);
        assert!(!queued(), "every worker free again");
        let bad = read_upload(7, &eduq_synth::hostile::xlsx_bomb(1 << 30), "b.xlsx").await;
        assert!(bad.expect_err("bomb").to_string().contains("文件超出读取上限"));
    }
}
