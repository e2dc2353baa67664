//! Waiting for a database to become active.

use crate::core::Error;
use crate::core::wait::{Verdict, WaitError, WaitOptions, is_transient, wait_until};

use super::{Client, types};

/// States a database does not come back from on its own.
pub const FAILED_STATES: &[&str] = &["ERROR", "TERMINATED", "TERMINATING"];

impl Client {
    /// Polls the database until its status is `ACTIVE`; `ERROR`, `TERMINATED` and
    /// `TERMINATING` are terminal failures. Right after a create Astra briefly answers 404, or
    /// a body that does not decode: both count as "not there yet", like 5xx and timeouts.
    pub async fn wait_until_database_active(
        &self,
        database_id: &str,
        options: WaitOptions,
    ) -> Result<types::Database, WaitError<types::Errors>> {
        wait_until(
            format!("Astra database {database_id}"),
            options,
            || {
                let call = self.get_database().database_id(database_id).send();
                async move { Ok(call.await?.into_inner()) }
            },
            |db: &types::Database| {
                let status = db.status.0.to_uppercase();
                if status == "ACTIVE" {
                    Verdict::Done
                } else if FAILED_STATES.contains(&status.as_str()) {
                    Verdict::Failed(db.status.0.clone())
                } else {
                    Verdict::Pending(db.status.0.clone())
                }
            },
            |e: &Error<types::Errors>| {
                is_transient(e)
                    || matches!(e, Error::Status { status: 404, .. } | Error::Decode { .. })
            },
        )
        .await
    }
}
