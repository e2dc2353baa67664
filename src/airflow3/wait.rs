//! Waiting for a DAG run to finish.

use crate::core::wait::{Verdict, WaitError, WaitOptions, is_transient, wait_until};

use super::{Client, types};

impl Client {
    /// Polls the run until its state is `success`; `failed` is a terminal failure
    /// ([`WaitError::Failed`]). Returns the finished run.
    pub async fn wait_until_dag_run_succeeds(
        &self,
        dag_id: &str,
        dag_run_id: &str,
        options: WaitOptions,
    ) -> Result<types::DagRunResponse, WaitError<types::AirflowError>> {
        wait_until(
            format!("DAG run {dag_id}/{dag_run_id}"),
            options,
            || {
                let call = self
                    .get_dag_run()
                    .dag_id(dag_id)
                    .dag_run_id(dag_run_id)
                    .send();
                async move { Ok(call.await?.into_inner()) }
            },
            |run: &types::DagRunResponse| match run.state {
                types::DagRunState::Success => Verdict::Done,
                types::DagRunState::Failed => Verdict::Failed("failed".into()),
                ref s => Verdict::Pending(s.to_string()),
            },
            is_transient,
        )
        .await
    }
}
