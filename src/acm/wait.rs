//! Waiting for a cluster to be launched and running.
//!
//! ACM's document types a cluster's `status` as a free string and lists no values; the ones
//! below are compared case-insensitively, any other counts as "still changing", and
//! [`Client::wait_until_cluster_status`] takes your own lists.

use crate::core::wait::{WaitError, WaitOptions, classify_state, is_transient, wait_until};

use super::{Client, types};

/// Statuses of a cluster that is launched and serving.
pub const RUNNING_STATUSES: &[&str] = &["online", "running", "active"];
/// Statuses a cluster does not leave for running by itself.
pub const FAILED_STATUSES: &[&str] = &["failed", "error", "terminated"];

impl Client {
    /// Polls `ClusterShow` until the cluster's status is one of [`RUNNING_STATUSES`].
    pub async fn wait_until_cluster_running(
        &self,
        cluster_id: i64,
        options: WaitOptions,
    ) -> Result<types::Cluster, WaitError<types::AcmError>> {
        self.wait_until_cluster_status(cluster_id, RUNNING_STATUSES, FAILED_STATUSES, options)
            .await
    }

    /// Polls until the cluster's status is one of `wanted` (case-insensitive); one of `failed`
    /// ends the wait with [`WaitError::Failed`]. ACM answers a cluster it cannot find with
    /// 403 (not 404), which ends the wait as an API error.
    pub async fn wait_until_cluster_status(
        &self,
        cluster_id: i64,
        wanted: &[&str],
        failed: &[&str],
        options: WaitOptions,
    ) -> Result<types::Cluster, WaitError<types::AcmError>> {
        let found = wait_until(
            format!("ACM cluster {cluster_id}"),
            options,
            || {
                let call = self.cluster_show().id(cluster_id).send();
                async move { Ok(call.await?.into_inner()) }
            },
            |answer: &types::ClusterShowResponse| {
                // `data` is required: an answer without it is a decode error, not an empty
                // cluster.
                let status = answer.data.status.as_ref().map(|s| s.0.as_str());
                classify_state(status, wanted, failed)
            },
            is_transient,
        )
        .await?;
        Ok(found.data)
    }
}
