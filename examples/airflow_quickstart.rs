//! List DAGs, trigger a run, wait for it with a progress display, and print its task states.
//!
//! `cargo xtask demo` starts a local Apache Airflow and runs this against it. Against your own
//! Airflow 2: `AIRFLOW_API_URL=https://host/api/v1 AIRFLOW_USERNAME=… AIRFLOW_PASSWORD=…
//! cargo run --example airflow_quickstart -- <dag_id>`.

use std::time::Duration;

use dataplat::airflow::{Client, types};
use dataplat::core::{CollectItems, WaitOptions};
use futures::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dag_id = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "dataplat_quick".to_string());
    // AIRFLOW_API_URL and one credential kind (here AIRFLOW_USERNAME + AIRFLOW_PASSWORD).
    let airflow = Client::from_config(None)?;

    // 1. Every DAG, through the item stream (pages of 100, fetched as they are consumed).
    println!("DAGs:");
    let mut dags = airflow.get_dags_stream(|b| b.order_by("dag_id"));
    while let Some(dag) = dags.try_next().await? {
        println!(
            "  {:<24} paused={:<5} {}",
            dag.dag_id.as_deref().unwrap_or("?"),
            dag.is_paused.unwrap_or(false),
            dag.description.as_deref().unwrap_or("")
        );
    }

    // 2. Unpause and trigger.
    airflow
        .patch_dag()
        .dag_id(&dag_id)
        .update_mask(vec!["is_paused".to_string()])
        .body(types::Dag {
            is_paused: Some(false),
            ..Default::default()
        })
        .send()
        .await?;
    let run = airflow
        .post_dag_run()
        .dag_id(&dag_id)
        .body(types::DagRun {
            note: Some("triggered by dataplat's quickstart".into()),
            ..Default::default()
        })
        .send()
        .await?
        .into_inner();
    let run_id = run.dag_run_id.clone().unwrap_or_default();
    println!("\ntriggered {dag_id} run {run_id}");

    // 3. Wait, showing state changes and elapsed time.
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")?);
    bar.enable_steady_tick(Duration::from_millis(120));
    let shown = bar.clone();
    let options =
        WaitOptions::new(Duration::from_secs(1), Duration::from_secs(300)).on_progress(move |p| {
            shown.set_message(format!("{dag_id}: {} (poll {})", p.state, p.polls));
            if p.changed {
                let line = format!("  {:>5.1} s  {}", p.elapsed.as_secs_f64(), p.state);
                // Not a terminal (CI, a pipe): the spinner is hidden, the changes still show.
                if shown.is_hidden() {
                    println!("{line}");
                } else {
                    shown.println(line);
                }
            }
        });
    let dag_id = run.dag_id.clone().unwrap_or_default();
    let outcome = airflow
        .wait_until_dag_run_succeeds(&dag_id, &run_id, options)
        .await;
    bar.finish_and_clear();
    match &outcome {
        Ok(_) => println!("run {run_id} succeeded"),
        Err(e) => println!("run {run_id} did not succeed: {e}"),
    }

    // 4. Its task instances.
    println!("\ntask instances:");
    let tasks = airflow
        .get_task_instances_stream(|b| b.dag_id(&dag_id).dag_run_id(&run_id))
        .collect_items(None)
        .await?;
    for t in &tasks {
        let state = t
            .state
            .as_ref()
            .and_then(|s| s.0.clone())
            .map_or("none".to_string(), |s| s.to_string());
        println!("  {:<10} {state}", t.task_id.as_deref().unwrap_or("?"));
    }
    outcome?;
    Ok(())
}
