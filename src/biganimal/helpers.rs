//! What BigAnimal's answers mean, beyond their shape (FACTS-v3 section 6).

use super::types::{Cluster, ClusterGroup, PointInTime};

/// The phase of a cluster that is up and serving.
pub const PHASE_HEALTHY: &str = "Cluster in healthy state";
/// The phase of a paused cluster.
pub const PHASE_PAUSED: &str = "Cluster has been paused";
/// The phase of a cluster waiting for access to its TDE key (see [`Cluster::pg_identity`]).
pub const PHASE_WAITING_FOR_KEY: &str = "Waiting for TDE key to get reachable";
/// The condition that says a cluster has been deployed.
pub const CONDITION_DEPLOYED: &str = "biganimal.com/deployed";

impl Cluster {
    /// Healthy as EDB's Terraform provider defines it: phase "Cluster in healthy state" and a
    /// `biganimal.com/deployed` condition with status "True". A distributed (PGD) cluster is
    /// healthy when every group's phase is healthy.
    pub fn is_healthy(&self) -> bool {
        if !self.groups.is_empty() {
            return self
                .groups
                .iter()
                .all(|g| group_phase(g) == Some(PHASE_HEALTHY));
        }
        self.phase.as_deref() == Some(PHASE_HEALTHY)
            && self.conditions.iter().any(|c| {
                c.type_.as_deref() == Some(CONDITION_DEPLOYED)
                    && c.condition_status.as_deref() == Some("True")
            })
    }

    /// Paused: "Cluster has been paused"; for PGD, every data group paused while witness groups
    /// stay healthy.
    pub fn is_paused(&self) -> bool {
        if !self.groups.is_empty() {
            return self.groups.iter().all(|g| match g {
                ClusterGroup::DataGroup(d) => d.phase.as_deref() == Some(PHASE_PAUSED),
                ClusterGroup::WitnessGroup(w) => w.phase.as_deref() == Some(PHASE_HEALTHY),
            });
        }
        self.phase.as_deref() == Some(PHASE_PAUSED)
    }

    /// Waiting for the customer to grant [`Cluster::pg_identity`] access to the TDE key: the
    /// cluster activates by itself afterwards, so this counts as settled.
    pub fn is_waiting_for_key(&self) -> bool {
        self.phase.as_deref() == Some(PHASE_WAITING_FOR_KEY)
            && self.pg_identity.as_deref().is_some_and(|p| !p.is_empty())
    }
}

fn group_phase(group: &ClusterGroup) -> Option<&str> {
    match group {
        ClusterGroup::DataGroup(d) => d.phase.as_deref(),
        ClusterGroup::WitnessGroup(w) => w.phase.as_deref(),
    }
}

impl PointInTime {
    /// As a UTC timestamp; `None` when out of range.
    pub fn to_datetime(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        let seconds = self.seconds.trunc();
        if !seconds.is_finite() || seconds.abs() > i64::MAX as f64 {
            return None;
        }
        let nanos = self.nanos.clamp(0.0, 999_999_999.0) as u32;
        chrono::DateTime::from_timestamp(seconds as i64, nanos)
    }
}

/// Requests name a provider, region, instance type, Postgres type or version by its id alone;
/// these build such references without spelling out the answer-only members.
macro_rules! by_id {
    ($($ty:ident . $field:ident),* $(,)?) => {$(
        impl super::types::$ty {
            #[doc = concat!("A `", stringify!($ty), "` that carries only its id, as requests send it.")]
            pub fn by_id(id: impl Into<String>) -> Self {
                // The id is the type's only required member, so the builder cannot fail.
                super::types::builder::$ty::default()
                    .$field(id.into())
                    .try_into()
                    .expect("the id is the only required member")
            }
        }
    )*};
}
by_id!(
    CloudProvider.cloud_provider_id,
    Region.region_id,
    InstanceType.instance_type_id,
    PgType.pg_type_id,
    PgVersion.pg_version_id,
);

impl super::types::Storage {
    /// A volume of `volume_type` / `volume_properties` and `size_gib` GiB (sent as `"<n> Gi"`);
    /// IOPS and throughput are left to the service.
    pub fn sized(volume_type: &str, volume_properties: &str, size_gib: u32) -> Self {
        Self {
            volume_type_id: Some(volume_type.to_string()),
            volume_properties_id: Some(volume_properties.to_string()),
            size: Some(format!("{size_gib} Gi")),
            ..Default::default()
        }
    }
}

impl super::types::ClusterArchitecture {
    /// `single` (one node) or `ha` with `nodes` nodes (1 primary + standbys).
    pub fn new(id: &str, nodes: i64) -> Self {
        super::types::builder::ClusterArchitecture::default()
            .cluster_architecture_id(id.to_string())
            .nodes(nodes)
            .try_into()
            .expect("id and nodes are the only required members")
    }
}
