use eduq_exchange::{ExchangeError, RowError};
use eduq_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    File(#[from] ExchangeError),
    #[error("文件中有{}处错误，未导入任何数据", .0.len())]
    Rows(Vec<RowError>),
    #[error("{0}")]
    Invalid(String),
    #[error("无权执行此操作")]
    Forbidden,
    #[error("记录不存在或无权访问")]
    NotFound,
    /// One answer for an unknown account, a wrong password and a client that must wait.
    #[error("用户名或密码错误；连续失败多次后需等待一段时间再试，或请管理员解除限制")]
    BadLogin,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AppError {
    /// All row errors, whichever stage found them.
    pub fn row_errors(&self) -> &[RowError] {
        match self {
            AppError::Rows(r) => r,
            AppError::File(e) => e.row_errors(),
            _ => &[],
        }
    }
}
