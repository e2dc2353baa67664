//! Query parameters the generated code adds (`optional_query` pass).

use reqwest::RequestBuilder;
use serde::Serialize;

/// Adds the optional query parameter `name` when it is set; a `None` costs nothing (reqwest's
/// `query` re-parses the URL even for nothing).
pub(crate) fn optional<T: Serialize>(
    builder: RequestBuilder,
    name: &str,
    value: &Option<T>,
) -> RequestBuilder {
    match value {
        Some(_) => builder.query(&progenitor_client::QueryParam::new(name, value)),
        None => builder,
    }
}
