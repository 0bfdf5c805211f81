use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Db(#[from] sqlx::Error),
    #[error("记录不存在或无权访问")]
    NotFound,
    #[error("无权执行此操作")]
    Forbidden,
    #[error("与已有记录冲突：{0}")]
    Conflict(String),
    #[error("{0}")]
    Config(String),
    /// A request value the store cannot use (a page cursor of another list).
    #[error("{0}")]
    Invalid(String),
    /// A blocking task the store ran beside the async workers panicked (a bug, not bad input).
    #[error("内部任务中断：{0}")]
    Task(String),
    #[error("数据库迁移失败（版本{version}）：{message}")]
    Migration { version: i64, message: String },
}
