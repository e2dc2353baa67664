//! Waiting for a cluster to become healthy or paused.

use crate::core::wait::{Verdict, WaitError, WaitOptions, is_transient, wait_until};

use super::{Client, types};

impl Client {
    /// Polls the cluster until it is healthy ([`types::Cluster::is_healthy`]), or waiting for
    /// its TDE key with the identity to grant (it activates by itself once granted), as EDB's
    /// Terraform provider does. A phase that says the cluster failed is a terminal failure.
    /// Right after an update the service can report the old healthy state for a while: wait
    /// ~20 s before calling this after a PUT or PATCH (FACTS-v3 section 6.1).
    pub async fn wait_until_cluster_healthy(
        &self,
        project_id: &str,
        cluster_id: &str,
        options: WaitOptions,
    ) -> Result<types::Cluster, WaitError<types::ErrorResponse>> {
        self.wait_for_cluster(project_id, cluster_id, options, |c| {
            c.is_healthy() || c.is_waiting_for_key()
        })
        .await
    }

    /// Polls the cluster until it is paused ([`types::Cluster::is_paused`]).
    pub async fn wait_until_cluster_paused(
        &self,
        project_id: &str,
        cluster_id: &str,
        options: WaitOptions,
    ) -> Result<types::Cluster, WaitError<types::ErrorResponse>> {
        self.wait_for_cluster(project_id, cluster_id, options, types::Cluster::is_paused)
            .await
    }

    async fn wait_for_cluster(
        &self,
        project_id: &str,
        cluster_id: &str,
        options: WaitOptions,
        done: impl Fn(&types::Cluster) -> bool,
    ) -> Result<types::Cluster, WaitError<types::ErrorResponse>> {
        wait_until(
            format!("BigAnimal cluster {cluster_id}"),
            options,
            || {
                let call = self
                    .get_cluster()
                    .project_id(project_id)
                    .cluster_id(cluster_id)
                    .send();
                async move { Ok(call.await?.into_inner().data) }
            },
            |c: &types::Cluster| {
                let phase = c.phase.clone().unwrap_or_else(|| "unknown".into());
                if done(c) {
                    Verdict::Done
                } else if phase.to_lowercase().contains("fail") {
                    // The phase list is open; EDB's tools name no failure phase, so any phase
                    // that says "failed" ends the wait rather than running into the timeout.
                    Verdict::Failed(phase)
                } else {
                    Verdict::Pending(phase)
                }
            },
            is_transient,
        )
        .await
    }
}
