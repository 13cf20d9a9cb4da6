//! What every step of the import shares: the command line's options, the error, and the notes
//! a draft's facts carry. Below the steps, which all report through it.

use std::fmt;

/// What the command line adds to the page.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The page's doc id (`doc/v3/partner/<id>`), when the text has no URL with it.
    pub doc_id: Option<String>,
    /// The operation id, when api-spec has no operation with the page's method and path.
    pub id: Option<String>,
}

/// A page that cannot be imported, with the page line at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub page: String,
    /// 1-based; 0 when the problem is not on a page line (e.g. the draft does not validate).
    pub line: usize,
    pub message: String,
}

impl ImportError {
    pub fn new(page: &str, line: usize, message: impl Into<String>) -> Self {
        ImportError { page: page.to_owned(), line, message: message.into() }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.page, self.message)
        } else {
            write!(f, "{}:{}: {}", self.page, self.line, self.message)
        }
    }
}

impl std::error::Error for ImportError {}

/// Why a fact of the draft is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteKind {
    /// Derived by the importer (from an example value, from the wording).
    Inferred,
    /// Taken from api-spec because the page is silent.
    Reused,
    /// The page and api-spec disagree.
    Conflict,
    /// A page line the draft does not carry.
    NotImported,
}

impl NoteKind {
    pub fn word(self) -> &'static str {
        match self {
            NoteKind::Inferred => "inferred",
            NoteKind::Reused => "reused",
            NoteKind::Conflict => "differs",
            NoteKind::NotImported => "not imported",
        }
    }
}

/// One entry of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub line: usize,
    pub kind: NoteKind,
    pub message: String,
}
