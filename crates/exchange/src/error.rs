use thiserror::Error;

/// One bad cell (or row) of a file. `row` is the spreadsheet row number as Excel shows it
/// (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub value: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "第{}行：{}", self.row, self.message)
        } else {
            write!(f, "第{}行「{}」的值“{}”{}", self.row, self.column, self.value, self.message)
        }
    }
}

#[derive(Debug, Error, Clone, PartialEq)]
pub enum ExchangeError {
    #[error("文件为空或没有表头行")]
    Empty,
    #[error("文件过大：{size}字节，上限为{limit}字节")]
    TooLarge { size: usize, limit: usize },
    #[error("文件超出读取上限：{0}。请拆分后分批导入")]
    Unpacked(String),
    #[error("无法识别文件编码：请另存为UTF-8或GB18030（GBK）编码的CSV，或xlsx格式")]
    Encoding,
    #[error("无法读取Excel文件：{0}")]
    Malformed(String),
    #[error("缺少必需的列：{}。请使用下载的模板。", .0.join("、"))]
    MissingHeaders(Vec<String>),
    #[error("表头中“{0}”列出现了两次")]
    DuplicateHeader(String),
    #[error("文件中有{}处错误，未导入任何数据", .0.len())]
    Rows(Vec<RowError>),
    #[error("写出Excel文件失败：{0}")]
    Write(String),
    #[error("读写文件失败：{0}")]
    Io(String),
}

impl ExchangeError {
    pub fn row_errors(&self) -> &[RowError] {
        match self {
            ExchangeError::Rows(r) => r,
            _ => &[],
        }
    }
}
