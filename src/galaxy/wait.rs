//! Waiting for a cluster to start or stop.
//!
//! Galaxy's document types `clusterState` as a free string and lists no values; the ones below
//! are compared case-insensitively, and any other state counts as "still changing".

use crate::core::wait::{WaitError, WaitOptions, classify_state, is_transient, wait_until};

use super::{Client, types};

/// States that mean the cluster is up.
pub const RUNNING_STATES: &[&str] = &["RUNNING"];
/// States that mean the cluster is down.
pub const STOPPED_STATES: &[&str] = &["STOPPED", "SUSPENDED"];
/// States a cluster does not leave for running or stopped by itself.
pub const FAILED_STATES: &[&str] = &["FAILED", "ERROR"];

impl Client {
    /// Polls until the cluster's state is one of [`RUNNING_STATES`].
    pub async fn wait_until_cluster_running(
        &self,
        cluster_id: &str,
        options: WaitOptions,
    ) -> Result<types::Cluster, WaitError<types::GalaxyError>> {
        self.wait_until_cluster_state(cluster_id, RUNNING_STATES, options)
            .await
    }

    /// Polls until the cluster's state is one of [`STOPPED_STATES`].
    pub async fn wait_until_cluster_stopped(
        &self,
        cluster_id: &str,
        options: WaitOptions,
    ) -> Result<types::Cluster, WaitError<types::GalaxyError>> {
        self.wait_until_cluster_state(cluster_id, STOPPED_STATES, options)
            .await
    }

    /// Polls until the cluster's state is one of `wanted` (case-insensitive); one of
    /// [`FAILED_STATES`] ends the wait with [`WaitError::Failed`].
    pub async fn wait_until_cluster_state(
        &self,
        cluster_id: &str,
        wanted: &[&str],
        options: WaitOptions,
    ) -> Result<types::Cluster, WaitError<types::GalaxyError>> {
        wait_until(
            format!("Galaxy cluster {cluster_id}"),
            options,
            || {
                let call = self.get_cluster().cluster_id(cluster_id).send();
                async move { Ok(call.await?.into_inner()) }
            },
            |c: &types::Cluster| classify_state(c.cluster_state.as_deref(), wanted, FAILED_STATES),
            is_transient,
        )
        .await
    }
}
