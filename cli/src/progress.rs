//! A count of the items `--all` has printed, on stderr when it is a terminal.

use std::io::IsTerminal;

/// The item counter of one `--all` run.
pub struct Items(Option<indicatif::ProgressBar>);

impl Items {
    /// A counter, shown only when stderr is a terminal (a script's stderr stays clean).
    pub fn new() -> Self {
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {pos} items ({per_sec})")
                    .expect("a valid template"),
            );
            Self(Some(bar))
        } else {
            Self(None)
        }
    }

    /// One more item.
    pub fn one_more(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }

    /// Clears the display.
    pub fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
