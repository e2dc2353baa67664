"""DAGs the end-to-end tests and `cargo xtask demo` drive through dataplat's clients.

Kept tiny so a run finishes in seconds on a 2-core machine: EmptyOperator tasks are settled by
the scheduler without starting a worker; one BashOperator proves a real task runs.
Works on Airflow 2.11 and 3.x (imports that exist in both).
"""
from datetime import datetime

from airflow import DAG

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.empty import EmptyOperator
except ImportError:  # Airflow 2
    from airflow.operators.bash import BashOperator
    from airflow.operators.empty import EmptyOperator

START = datetime(2024, 1, 1)

with DAG(
    dag_id="dataplat_quick",
    description="Three tasks: start, a real bash task, end",
    schedule=None,
    start_date=START,
    catchup=False,
    tags=["dataplat"],
):
    start = EmptyOperator(task_id="start")
    hello = BashOperator(task_id="hello", bash_command="echo hello from dataplat")
    end = EmptyOperator(task_id="end")
    start >> hello >> end

with DAG(
    dag_id="dataplat_failing",
    description="A run that fails: its only task exits 1",
    schedule=None,
    start_date=START,
    catchup=False,
    tags=["dataplat"],
):
    BashOperator(task_id="fail", bash_command="exit 1", retries=0)

# More DAGs than one page holds would make parsing slow; pagination is tested with variables,
# pools and connections instead. These few give list_dags something to page through.
for i in range(5):
    with DAG(
        dag_id=f"dataplat_idle_{i}",
        description="Never triggered; lists and pause/unpause only",
        schedule=None,
        start_date=START,
        catchup=False,
        tags=["dataplat", "idle"],
    ):
        EmptyOperator(task_id="noop")

# One DAG per schedule kind, never unpaused (new DAGs start paused): what the API really sends
# for each (Airflow 2 serialises a relativedelta's unset absolute fields, `year` and the rest, as
# null, which its own document calls required integers).
from datetime import timedelta  # noqa: E402

from dateutil.relativedelta import relativedelta  # noqa: E402

for name, schedule in [
    ("cron", "0 3 * * *"),
    ("preset", "@daily"),
    ("timedelta", timedelta(hours=6)),
    ("relativedelta", relativedelta(months=1, day=1)),
]:
    with DAG(
        dag_id=f"dataplat_schedule_{name}",
        description=f"Never run; its schedule is a {name}",
        schedule=schedule,
        start_date=START,
        catchup=False,
        tags=["dataplat", "schedules"],
    ):
        EmptyOperator(task_id="noop")
